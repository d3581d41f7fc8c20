/* MarioHR candidate page: autosave, countdown, submit.
 *
 * Hook for other scripts (the session recorder): before the page submits, by hand or at
 * the time limit, it dispatches a `mariohr:submitting` CustomEvent on window and then waits
 * (at most 5 seconds) for every promise returned by the functions in
 * `window.mariohrBeforeSubmit`, an array any script may push to:
 *   (window.mariohrBeforeSubmit = window.mariohrBeforeSubmit || []).push(() => flushLastChunk());
 */
(function () {
  "use strict";
  var form = document.getElementById("answers-form");
  if (!form) return;
  window.mariohrBeforeSubmit = window.mariohrBeforeSubmit || [];

  var saveUrl = form.dataset.saveUrl;
  var draftKey = form.dataset.draftKey;
  var statusEl = document.getElementById("save-status");
  var countdownEl = document.getElementById("countdown");
  var alertEl = document.getElementById("time-alert");
  var dirty = false, saving = false, submitting = false, timer = null, retryTimer = null;

  function collect() {
    var answers = {};
    form.querySelectorAll("[data-answer-key]").forEach(function (box) {
      var key = box.dataset.answerKey, kind = box.dataset.kind;
      if (kind === "short") {
        answers[key] = box.querySelector("input, textarea").value;
      } else if (kind === "single") {
        var picked = box.querySelector("input:checked");
        answers[key] = picked ? picked.value : "";
      } else {
        answers[key] = Array.prototype.map.call(box.querySelectorAll("input:checked"), function (i) { return i.value; });
      }
    });
    return answers;
  }

  function apply(answers) {
    form.querySelectorAll("[data-answer-key]").forEach(function (box) {
      var value = answers[box.dataset.answerKey];
      if (value === undefined) return;
      if (box.dataset.kind === "short") {
        box.querySelector("input, textarea").value = value;
      } else {
        var chosen = [].concat(value);
        box.querySelectorAll("input").forEach(function (i) { i.checked = chosen.indexOf(i.value) !== -1; });
      }
    });
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  function setStatus(text) { statusEl.textContent = text; }

  function keepDraft() {
    // A local copy survives a crash or a lost connection until the server has it.
    try { localStorage.setItem(draftKey, JSON.stringify({answers: collect(), dirty: dirty})); } catch (e) {}
  }

  function save(options) {
    if (saving && !(options && options.keepalive)) { return Promise.resolve(); }
    saving = true;
    dirty = false;
    keepDraft();
    return fetch(saveUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({answers: collect()}),
      keepalive: !!(options && options.keepalive),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          setStatus("All answers saved at " + clock(body.saved_at));
          keepDraft();
        } else if (body.error === "recording_required") {
          // Kept on this device; saved once the recording runs (consent reaches the server).
          dirty = true;
          keepDraft();
          setStatus("Not saved yet: start the session recording first. Your answers are kept on this device.");
          clearTimeout(retryTimer);
          retryTimer = setTimeout(save, 5000);
        } else if (response.status === 409 || response.status === 410) {
          setStatus(body.message || "This test no longer accepts answers.");
          window.location.reload();
        } else if (response.status === 400 || response.status === 413) {
          // Sending the same answers again would fail the same way: wait for the next edit.
          dirty = true;
          keepDraft();
          var problem = body.error === "invalid_answer" && body.field ? body.field + " " + body.message : body.message;
          setStatus("Not saved: " + (problem || "the answers were refused").replace(/\.$/, "") + ". Your answers are kept on this device.");
        } else {
          dirty = true;
          setStatus("Not saved: " + (body.message || "server error") + ". Retrying…");
          retryTimer = setTimeout(save, 5000);
        }
      });
    }).catch(function () {
      dirty = true;
      keepDraft();
      setStatus("Offline: your answers are kept on this device and will be saved when the connection is back.");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(save, 5000);
    }).finally(function () { saving = false; });
  }

  function changed() {
    dirty = true;
    keepDraft();
    setStatus("Saving…");
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  }

  function beforeSubmit() {
    window.dispatchEvent(new CustomEvent("mariohr:submitting"));
    var hooks = (window.mariohrBeforeSubmit || []).map(function (hook) {
      try { return Promise.resolve(hook()); } catch (e) { return Promise.resolve(); }
    });
    var limit = new Promise(function (resolve) { setTimeout(resolve, 5000); });
    return Promise.race([Promise.allSettled(hooks), limit]);
  }

  function submitNow(automatic) {
    if (submitting) return;
    submitting = true;
    form.elements.automatic.value = automatic ? "1" : "0";
    document.getElementById("submit-button").disabled = true;
    setStatus(automatic ? "Time is up: submitting your answers…" : "Submitting…");
    beforeSubmit().then(function () {
      try { localStorage.removeItem(draftKey); } catch (e) {}
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (window.confirm("Submit your answers now? You can't change them afterwards.")) {
      submitNow(false);
    }
  });
  window.addEventListener("pagehide", function () { if (dirty && !submitting) save({keepalive: true}); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && !submitting) save({keepalive: true});
  });
  window.addEventListener("online", function () { if (dirty) save(); });

  // Restore what this device typed but the server never confirmed (crash, offline).
  try {
    var draft = JSON.parse(localStorage.getItem(draftKey) || "null");
    if (draft && draft.dirty) { apply(draft.answers); changed(); }
  } catch (e) {}
  if (statusEl.dataset.lastSaved) setStatus("All answers saved at " + clock(statusEl.dataset.lastSaved));

  var deadline = Date.parse(countdownEl.dataset.deadline);
  var skew = Date.parse(countdownEl.dataset.serverNow) - Date.now();
  var warned = false;
  function tick() {
    var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
    var hours = Math.floor(left / 3600), minutes = Math.floor((left % 3600) / 60), seconds = left % 60;
    countdownEl.textContent = (hours ? hours + ":" + String(minutes).padStart(2, "0") : minutes) + ":" + String(seconds).padStart(2, "0");
    if (left <= 300 && !warned) { warned = true; alertEl.textContent = "Five minutes left."; }
    if (left === 0) { clearInterval(interval); submitNow(true); }
  }
  var interval = setInterval(tick, 1000);
  tick();
})();
