/* MarioHR recording consent as a retried handshake (used by device_check.js and recorder.js).
 *
 *   var consent = window.mariohrConsentHandshake(url);
 *   consent.send("given", "");   // POSTs until the server answers 2xx; the last answer wins
 *
 * A lost request never blocks the candidate: the Start form carries the same answer, and a
 * recording chunk arriving at the server also counts as consent. Retries back off from 1 s to
 * 30 s; an answer the server refuses for good (4xx other than 408/429) is not retried.
 * `consent.state` = {sent: the answer last confirmed, pending: the answer still being sent}.
 */
(function () {
  "use strict";
  if (window.mariohrConsentHandshake) return;

  window.mariohrConsentHandshake = function (url) {
    var generation = 0, timer = null;
    var state = {sent: "", pending: "", attempts: 0, lastError: ""};

    function attempt(mine, consent, detail, delay) {
      state.attempts++;
      fetch(url, {
        method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify({consent: consent, detail: detail || ""}),
        credentials: "omit"
      }).then(function (response) {
        if (mine !== generation) return;
        if (response.ok) {
          state.sent = consent;
          state.pending = "";
          return;
        }
        state.lastError = "HTTP " + response.status;
        var again = response.status >= 500 || response.status === 408 || response.status === 429;
        if (again) retry(mine, consent, detail, delay);
        else state.pending = "";
      }, function (error) {
        if (mine !== generation) return;
        state.lastError = String(error);
        retry(mine, consent, detail, delay);
      });
    }

    function retry(mine, consent, detail, delay) {
      timer = setTimeout(function () {
        attempt(mine, consent, detail, Math.min(delay * 2, 30000));
      }, delay);
    }

    return {
      state: state,
      send: function (consent, detail) {
        // A newer answer replaces one still being retried.
        generation++;
        clearTimeout(timer);
        state.pending = consent;
        attempt(generation, consent, detail, 1000);
      }
    };
  };
})();
