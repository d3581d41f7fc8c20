/* MarioHR candidate page: autosave, countdown, submit, one answering tab, integrity signals.
 *
 * Autosave sends only the answers this tab changed since the server last confirmed them
 * ("pending": kept in memory and in localStorage, each with its value and when it changed),
 * retrying with backoff while offline. Submit goes through fetch and carries only the answers
 * still pending, so a stale tab never blanks what was saved elsewhere.
 *
 * Hooks for other scripts (the session recorder):
 * - Before the page submits, by hand or at the time limit, it dispatches `mariohr:submitting`
 *   on window and waits (at most 30 seconds) for every promise returned by the functions in
 *   `window.mariohrBeforeSubmit`, an array any script may push to:
 *     (window.mariohrBeforeSubmit = window.mariohrBeforeSubmit || []).push(() => flush());
 * - One tab per candidate link takes answers (Web Locks; "Continue here" steals the lock).
 *   Once decided, `window.mariohrTab = {active: bool}` is set and window receives
 *   `mariohr:tab-active` or `mariohr:tab-passive` (again whenever it changes).
 */
(function () {
  "use strict";
  var form = document.getElementById("answers-form");
  if (!form) return;
  window.mariohrBeforeSubmit = window.mariohrBeforeSubmit || [];

  var HOOK_LIMIT_MS = 30000, TAKEOVER_WAIT_MS = 3000, LOCK_WAIT_MS = 1000, SAVE_DELAY_MS = 700;
  var saveUrl = form.dataset.saveUrl, pageUrl = form.dataset.pageUrl;
  var draftKey = form.dataset.draftKey, tabKey = form.dataset.tabKey;
  var fieldset = document.getElementById("answers-fieldset");
  var statusEl = document.getElementById("save-status");
  var announcer = document.getElementById("save-announcer");
  var banner = document.getElementById("tab-banner");
  var continueButton = banner.querySelector("[data-tab-continue]");
  var countdownEl = document.getElementById("countdown");
  var alertEl = document.getElementById("time-alert");
  var submitButton = document.getElementById("submit-button");
  var skew = Date.parse(countdownEl.dataset.serverNow) - Date.now();

  var pending = {};          // key -> {value, at}: changed here, not yet confirmed saved
  var inflight = null;       // the save request on its way
  var inflightSent = {};     // what it carries
  var confirmedValues = {};  // key -> the value the server is known to have
  var active = false, submitting = false, failures = 0;
  var lastSaved = statusEl.dataset.lastSaved || "";
  var problem = "", problemText = "";  // "", "offline", "error", "refused", "recording"
  var spoken = "saved";      // the last state the live region announced
  var debounce = null, retryTimer = null, releaseLock = null;
  var editedEarly = {};      // keys edited before this tab was chosen to answer (a fast typist)

  // ---- answers in the page -------------------------------------------------------------

  function serverNow() { return Date.now() + skew; }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  function count() { return Object.keys(pending).length; }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function boxFor(key) {
    var found = null;
    form.querySelectorAll("[data-answer-key]").forEach(function (box) {
      if (box.dataset.answerKey === key) found = box;
    });
    return found;
  }

  function read(box) {
    if (box.dataset.kind === "short") return box.querySelector("input, textarea").value;
    if (box.dataset.kind === "single") {
      var picked = box.querySelector("input:checked");
      return picked ? picked.value : "";
    }
    return Array.prototype.map.call(box.querySelectorAll("input:checked"), function (i) { return i.value; });
  }

  function readServed(box) {
    if (box.dataset.kind === "short") return box.querySelector("input, textarea").defaultValue;
    var served = Array.prototype.filter.call(box.querySelectorAll("input"), function (i) { return i.defaultChecked; })
      .map(function (i) { return i.value; });
    if (box.dataset.kind === "single") return served.length ? served[0] : "";
    return served;
  }

  function write(box, value) {
    if (box.dataset.kind === "short") {
      box.querySelector("input, textarea").value = value;
      return;
    }
    var chosen = [].concat(value);
    box.querySelectorAll("input").forEach(function (i) { i.checked = chosen.indexOf(i.value) !== -1; });
  }

  // ---- the local draft (survives a crash, a reload, a lost connection) -------------------

  function storedDraft() {
    try {
      var draft = JSON.parse(localStorage.getItem(draftKey) || "null");
      // Older pages stored every field; re-applying those could undo newer answers.
      return draft && draft.version === 2 && draft.pending ? draft.pending : {};
    } catch (e) { return {}; }
  }

  function storeDraft(entries) {
    try {
      if (Object.keys(entries).length) {
        localStorage.setItem(draftKey, JSON.stringify({version: 2, pending: entries}));
      } else {
        localStorage.removeItem(draftKey);
      }
    } catch (e) {}
  }

  function persist() { if (active) storeDraft(pending); }

  // A tab that lost its turn still confirms what it flushed, without touching newer entries.
  function forgetStored(sent) {
    var stored = storedDraft();
    Object.keys(sent).forEach(function (key) {
      if (stored[key] && same(stored[key].value, sent[key])) delete stored[key];
    });
    storeDraft(stored);
  }

  // On a first visit the browser restores no earlier values, so a field that differs from what
  // the server rendered was typed before this script ran (a slow connection). On a reload or
  // back/forward it may hold restored values: only the edits this script saw count then.
  function firstVisit() {
    try {
      var entry = performance.getEntriesByType("navigation")[0];
      return !!entry && entry.type === "navigate";
    } catch (e) { return false; }
  }

  function restoreDraft() {
    var early = {}, fresh = firstVisit();
    form.querySelectorAll("[data-answer-key]").forEach(function (box) {
      var key = box.dataset.answerKey, edited = editedEarly[key] || fresh;
      // What the server rendered is confirmed; an edit made while the tab was being chosen is not.
      confirmedValues[key] = edited ? readServed(box) : read(box);
      if (edited && !same(read(box), confirmedValues[key])) {
        early[key] = {value: read(box), at: serverNow()};
      }
    });
    editedEarly = {};
    var stored = storedDraft();
    Object.keys(stored).forEach(function (key) {
      var box = boxFor(key), entry = stored[key];
      if (!box || !entry || early[key]) return;
      // The server has a newer answer (saved from another tab after this draft was kept).
      if (entry.at <= (Date.parse(box.dataset.savedAt || "") || 0)) return;
      if (same(read(box), entry.value)) return;
      write(box, entry.value);
      pending[key] = entry;
    });
    Object.keys(early).forEach(function (key) { pending[key] = early[key]; });
    persist();
    render();
    if (count()) save();
  }

  // ---- status line and announcements ----------------------------------------------------

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  function setStatus(text) { statusEl.textContent = text; }

  function announce(text) {
    // Cleared first so the same words twice in a row are spoken twice.
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function render() {
    if (submitting || (timeUp && active)) return;  // the submit (or the time-up check) owns it
    if (window.mariohrTab && !active) { setStatus("Answers are taken in your other tab."); return; }
    var n = count(), text, state = null;
    if (!n) {
      text = lastSaved ? "All answers saved at " + clock(lastSaved) : "No answers saved yet";
      state = "saved";
    } else if (problem === "offline") {
      text = plural(n, "change") + " not saved yet: offline, retrying. Your answers are kept on this device.";
      state = "offline";
    } else if (problem === "error") {
      text = plural(n, "change") + " not saved yet: " + problemText + ", retrying.";
      state = "error";
    } else if (problem === "refused" || problem === "recording") {
      text = problemText;
      state = "error";
    } else {
      text = "Saving " + plural(n, "change") + "…";
    }
    setStatus(text);
    if (state && state !== spoken) {
      spoken = state;
      announce(state === "saved" ? "All answers saved." : text);
    }
  }

  // ---- autosave --------------------------------------------------------------------------

  function retryLater(delay) {
    if (submitting) return;
    failures += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(save, delay || Math.min(30000, 1000 * Math.pow(2, failures - 1)));
  }

  function confirmKeys(sent, savedAt) {
    lastSaved = savedAt || lastSaved;
    Object.keys(sent).forEach(function (key) {
      confirmedValues[key] = sent[key];
      if (pending[key] && same(pending[key].value, sent[key])) delete pending[key];
    });
    if (active) persist(); else forgetStored(sent);
  }

  function confirmed(sent, savedAt) {
    failures = 0;
    problem = "";
    confirmKeys(sent, savedAt);
    if (count() && active && !submitting) {
      clearTimeout(debounce);
      debounce = setTimeout(save, SAVE_DELAY_MS);
    }
  }

  function answered(response, body, sent) {
    if (body.deadline) deadlineUpdate(body.deadline);
    if (response.ok) return confirmed(sent, body.saved_at);
    if (body.error === "recording_required") {
      // Kept on this device; saved once the recording runs (consent reaches the server).
      problem = "recording";
      problemText = "Not saved yet: start the session recording first. Your answers are kept on this device.";
      retryLater(5000);
    } else if (response.status === 409 || response.status === 410 || response.status === 404) {
      // Over, replaced by a retake's new link, or never valid: the reloaded page says which.
      setStatus(body.message || "This test no longer accepts answers.");
      window.location.reload();
    } else if (response.status === 400 || response.status === 413) {
      // The batch's valid answers were stored (`saved`); only the refused ones stay pending.
      var stored = {};
      (Array.isArray(body.saved) ? body.saved : []).forEach(function (key) {
        if (Object.prototype.hasOwnProperty.call(sent, key)) stored[key] = sent[key];
      });
      confirmKeys(stored, body.saved_at);
      // Sending the same answers again would fail the same way: wait for the next edit.
      // MarioHR's error shape: the message names the field (the `fields` map says it again).
      var why = body.message;
      problem = "refused";
      problemText = "Not saved: " + (why || "the answers were refused").replace(/\.$/, "") + ". Your answers are kept on this device.";
    } else {
      problem = "error";
      problemText = body.message || "server error";
      retryLater();
    }
  }

  function answersBody() {
    var sent = {};
    Object.keys(pending).forEach(function (key) { sent[key] = pending[key].value; });
    return sent;
  }

  // force: send although this tab is passive or submitting (its last flush).
  function save(options) {
    var force = options && options.force;
    if ((!active || submitting) && !force) return Promise.resolve();
    if (inflight) return inflight.then(function () { return count() ? save(options) : null; });
    if (!count()) return Promise.resolve();
    clearTimeout(retryTimer);
    clearTimeout(debounce);
    var sent = inflightSent = answersBody();
    inflight = fetch(saveUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({answers: sent}),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        answered(response, body, sent);
      });
    }, function () {
      problem = "offline";
      retryLater();
    }).then(function () {
      inflight = null;
      inflightSent = {};
      render();
    });
    return inflight;
  }

  function saveOnLeave() {
    // The page is going away: a keepalive request outlives it (the draft is kept anyway).
    if (!active || submitting || !count()) return;
    try {
      fetch(saveUrl, {
        method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify({answers: answersBody()}),
        keepalive: true,
        credentials: "same-origin"
      }).catch(function () {});
    } catch (e) {}
  }

  function changed(event) {
    var box = event.target.closest && event.target.closest("[data-answer-key]");
    if (!box) return;
    if (!active) {
      if (!window.mariohrTab) editedEarly[box.dataset.answerKey] = true;
      return;
    }
    var key = box.dataset.answerKey, value = read(box);
    // A "change" event after "input" (leaving the field) is not a new change.
    if (!pending[key] && !(key in inflightSent) && same(value, confirmedValues[key])) return;
    pending[key] = {value: value, at: serverNow()};
    if (problem === "refused") problem = "";
    persist();
    render();
    if (submitting) return;  // the submit sends it
    clearTimeout(debounce);
    debounce = setTimeout(save, SAVE_DELAY_MS);
  }

  // ---- submit ----------------------------------------------------------------------------

  var submitFailures = 0, submitRetry = null, submitAutomatic = false, posting = false, postInflight = false;

  function beforeSubmit() {
    window.dispatchEvent(new CustomEvent("mariohr:submitting"));
    var hooks = (window.mariohrBeforeSubmit || []).map(function (hook) {
      try { return Promise.resolve(hook()); } catch (e) { return Promise.resolve(); }
    });
    if (!hooks.length) return Promise.resolve();
    setStatus("Uploading the recording…");
    var limit = new Promise(function (resolve) { setTimeout(resolve, HOOK_LIMIT_MS); });
    return Promise.race([Promise.allSettled(hooks), limit]);
  }

  function finished() {
    pending = {};
    try { localStorage.removeItem(draftKey); } catch (e) {}
    window.location.assign(pageUrl);
  }

  function submitRefused(html) {
    var page = new DOMParser().parseFromString(html, "text/html").querySelector(".status-page");
    if (!page || !page.hasAttribute("data-retry")) { finished(); return; }  // final: show it
    var heading = page.querySelector("h1"), message = page.querySelector("p");
    var text = (heading ? heading.textContent + ". " : "") + (message ? message.textContent : "");
    submitting = false;
    posting = false;
    submitButton.disabled = false;
    setStatus(text);
    announce(text);
    if (count()) retryLater(5000);
  }

  function submitLater(text) {
    setStatus(text);
    if (submitFailures === 0) announce(text);
    submitFailures += 1;
    clearTimeout(submitRetry);
    submitRetry = setTimeout(postSubmit, Math.min(15000, 1000 * Math.pow(2, submitFailures - 1)));
  }

  function postSubmit() {
    clearTimeout(submitRetry);
    if (postInflight) return;
    posting = postInflight = true;
    // Only what this tab still holds unsaved: a stale tab must not blank saved answers.
    var body = new URLSearchParams();
    body.append("automatic", submitAutomatic ? "1" : "0");
    Object.keys(pending).forEach(function (key) {
      body.append("answered_keys", key);
      [].concat(pending[key].value).forEach(function (value) { body.append(key, value); });
    });
    fetch(form.action, {method: "POST", body: body, credentials: "same-origin"}).then(function (response) {
      postInflight = false;
      if (response.ok) { finished(); return null; }
      if (response.status >= 500 || response.status === 429) {
        submitLater("The server could not take your answers yet; retrying… Your answers are safe.");
        return null;
      }
      return response.text().then(submitRefused);
    }, function () {
      postInflight = false;
      submitLater("You're offline. Your answers are safe; submitting when the connection returns…");
    });
  }

  function submitNow(automatic) {
    if (submitting || !active) return;
    submitting = true;
    submitAutomatic = automatic;
    submitFailures = 0;
    clearTimeout(debounce);
    clearTimeout(retryTimer);
    submitButton.disabled = true;
    setStatus(automatic ? "Time is up: submitting your answers…" : "Submitting…");
    // Save what is pending first (harmless if it fails: the submit carries it too).
    var flushed = save({force: true}).catch(function () {});
    Promise.all([flushed, beforeSubmit()]).then(function () {
      setStatus(automatic ? "Time is up: submitting your answers…" : "Submitting…");
      postSubmit();
    });
  }

  // ---- one answering tab per candidate link -----------------------------------------------

  var channel = window.BroadcastChannel ? new BroadcastChannel(tabKey) : null;
  var takeoverFlag = tabKey + "-takeover";

  function decide(isActive) {
    active = isActive;
    window.mariohrTab = {active: isActive};
    fieldset.disabled = !isActive;
    banner.hidden = isActive;
    window.dispatchEvent(new CustomEvent(isActive ? "mariohr:tab-active" : "mariohr:tab-passive"));
  }

  function becomeActive() {
    decide(true);
    restoreDraft();
    signalsAdopt();
    signalsSend();
    if (timeUp) timeUpConfirm();  // the time ran out while the tab was being decided
  }

  function holdLock() {
    return new Promise(function (resolve) { releaseLock = resolve; });
  }

  function lostTurn() {
    // Another tab pressed "Continue here": hand over what this one has not saved yet.
    clearTimeout(debounce);
    clearTimeout(retryTimer);
    decide(false);
    render();
    announce("This test is open in another tab or window.");
    var done = function () { if (channel) channel.postMessage({type: "flushed"}); };
    save({force: true}).then(done, done);
  }

  function continueHere() {
    continueButton.disabled = true;
    setStatus("Taking over from the other tab…");
    navigator.locks.request(tabKey, {steal: true}, function () {
      // Reload once the other tab says it flushed (or after a while) to show the saved answers.
      var reload = function () {
        try { sessionStorage.setItem(takeoverFlag, "1"); } catch (e) {}
        window.location.reload();
      };
      if (channel) channel.onmessage = function (event) { if (event.data && event.data.type === "flushed") reload(); };
      setTimeout(reload, TAKEOVER_WAIT_MS);
      return holdLock();
    }).catch(function () {});
  }

  function electTab() {
    if (!navigator.locks) { becomeActive(); return; }
    var takeover = false;
    try {
      takeover = sessionStorage.getItem(takeoverFlag) === "1";
      sessionStorage.removeItem(takeoverFlag);
    } catch (e) {}
    // Wait a moment rather than "ifAvailable": this tab's previous page (a reload) may not
    // have let go of the lock yet.
    var waiting = new AbortController();
    var timer = setTimeout(function () { waiting.abort(); }, LOCK_WAIT_MS);
    var options = takeover ? {steal: true} : {signal: waiting.signal};
    navigator.locks.request(tabKey, options, function () {
      clearTimeout(timer);
      becomeActive();
      return holdLock();
    }).catch(function () {
      clearTimeout(timer);
      if (active) { lostTurn(); return; }
      decide(false);
      render();
    });
  }

  continueButton.addEventListener("click", continueHere);

  // ---- events ------------------------------------------------------------------------------

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting || !active) return;
    if (window.confirm("Submit your answers now? You can't change them afterwards.")) submitNow(false);
  });
  window.addEventListener("pagehide", function () {
    saveOnLeave();
    if (releaseLock) releaseLock();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();  // back from the cache: the lock is gone
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") saveOnLeave();
  });
  window.addEventListener("online", function () {
    if (submitting) { if (posting) postSubmit(); return; }
    if (!active || !count()) return;
    failures = 0;
    spoken = "online";
    announce("Back online: saving your changes.");
    save();
  });
  window.addEventListener("offline", function () {
    if (!submitting && active && count()) { problem = "offline"; render(); }
  });

  // ---- countdown ---------------------------------------------------------------------------

  var deadline = Date.parse(countdownEl.dataset.deadline);
  var warned = Infinity, timeUp = false, interval = null;
  var timeCheck = null, timeChecking = false, timeCheckFailures = 0;
  var WARNINGS = [[60, "1 minute left. The test submits itself when the time is up."],
                  [300, "5 minutes left. Your answers are saved as you go."]];
  function tick() {
    var left = Math.max(0, Math.round((deadline - serverNow()) / 1000));
    var hours = Math.floor(left / 3600), minutes = Math.floor((left % 3600) / 60), seconds = left % 60;
    countdownEl.textContent = (hours ? hours + ":" + String(minutes).padStart(2, "0") : minutes) + ":" + String(seconds).padStart(2, "0");
    for (var i = 0; i < WARNINGS.length; i++) {
      if (left <= WARNINGS[i][0] && WARNINGS[i][0] < warned) {
        warned = WARNINGS[i][0];
        alertEl.textContent = WARNINGS[i][1];
        break;
      }
    }
    if (left === 0 && !timeUp) timeRanOut();
  }

  function timeRanOut() {
    clearInterval(interval);
    timeUp = true;
    if (active) timeUpConfirm(); else setStatus("Time is up.");
  }

  // The hiring team may move the deadline during the test (extra minutes, an accommodation):
  // every save answer carries it, and a light poll catches it on an idle page.
  var clockUrl = pageUrl + "/clock";
  var CLOCK_POLL_MS = window.mariohrClockPollMs || 15000;

  function deadlineUpdate(iso) {
    var moved = Date.parse(iso);
    if (!moved || moved === deadline || timeUp) return;
    var later = moved > deadline;
    deadline = moved;
    countdownEl.dataset.deadline = iso;
    // More time: the warnings come again when the new time runs low.
    if (later) warned = Infinity;
    alertEl.textContent = later ? "You were given more time. The new time left is shown above." : "The time limit changed. The new time left is shown above.";
    tick();
  }

  // Resolves to the clock's answer ({} when the server could not say), or null when the page
  // reloads; rejects when the request did not get through (offline).
  function clockFetch() {
    return fetch(clockUrl, {headers: {"Accept": "application/json"}, cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        // The link was replaced (a retake) or is gone: the page says so; the answers stay here.
        if (response.status === 410 || response.status === 404) { window.location.reload(); return null; }
        return response.ok ? response.json().catch(function () { return {}; }) : {};
      });
  }

  // After time-up: the server says the deadline is still ahead (more time was given), so the
  // countdown runs again. Its clock is taken as is, so the page does not reach zero at once.
  function moreTime(body) {
    var moved = Date.parse(body.deadline || ""), now = Date.parse(body.server_now || "");
    if (!timeUp || body.status !== "in_progress" || !moved || !now || moved - now < 1000) return false;
    skew = now - Date.now();
    timeUp = false;
    clearTimeout(timeCheck);
    clearInterval(interval);
    interval = setInterval(tick, 1000);
    if (moved !== deadline) deadlineUpdate(body.deadline); else tick();
    render();
    if (count()) save();
    return true;
  }

  // Zero on this page's countdown is not yet the end: extra time given while the page was
  // offline, or since its last poll, must not submit at the old deadline (nor stop the
  // recording, which the submit's hooks do). The server's clock decides first.
  function timeUpConfirm() {
    clearTimeout(timeCheck);
    if (submitting || !active || !timeUp || timeChecking) return;
    timeChecking = true;
    setStatus("Time is up: checking the time with the server…");
    clockFetch().then(function (body) {
      timeChecking = false;
      if (body && !moreTime(body)) submitNow(true);
    }, function () {
      timeChecking = false;
      // Offline: asked again when the connection returns (and with backoff meanwhile).
      var text = "Time is up. You're offline: your answers are kept on this device and are submitted when the connection returns.";
      setStatus(text);
      if (!timeCheckFailures) announce(text);
      timeCheckFailures += 1;
      timeCheck = setTimeout(timeUpConfirm, Math.min(15000, 1000 * Math.pow(2, timeCheckFailures - 1)));
    });
  }

  function pollClock() {
    if (submitting || (timeUp && active)) return;
    clockFetch().then(function (body) {
      if (!body) return;
      if (body.status && body.status !== "in_progress") {
        // Submitted, expired or cancelled: the answering tab ends as at time-up (hooks
        // first); any other tab reloads to show the page as it is.
        if (active) timeRanOut(); else if (window.mariohrTab) window.location.reload();
        return;
      }
      if (timeUp) moreTime(body); else if (body.deadline) deadlineUpdate(body.deadline);
    }).catch(function () {});  // offline: the next poll (or coming back online) tries again
  }

  window.addEventListener("online", function () {
    if (timeUp && active) { timeCheckFailures = 0; timeUpConfirm(); } else pollClock();
  });

  // ---- integrity signals (assessments/integrity.py) -----------------------------------------
  // Large pastes (size and first characters only), time away from the page and long idle
  // periods, each with the moment it began. Queued in memory and localStorage and sent with
  // backoff like the answers; every signal has an id, so a batch sent twice is stored once.
  // Only the answering tab records and sends; it takes over what earlier pages left unsent.

  var signalsUrl = form.dataset.signalsUrl, signalsKey = draftKey + "-signals";
  var PASTE_MIN = Number(form.dataset.pasteMin) || 200, AWAY_MIN_MS = window.mariohrAwayMinMs || 2000;
  var IDLE_MS = window.mariohrIdleMs || (Number(form.dataset.idleMinutes) || 5) * 60000;
  var signalQueue = [], signalSending = null, signalFailures = 0, signalTimer = null;
  var awaySince = null, awayReason = "", lastInput = Date.now();

  function signalsStored() {
    try {
      var stored = JSON.parse(localStorage.getItem(signalsKey) || "[]");
      return Array.isArray(stored) ? stored.filter(function (item) { return item && item.id; }) : [];
    } catch (e) { return []; }
  }

  function signalsWrite(items) {
    try {
      if (items.length) localStorage.setItem(signalsKey, JSON.stringify(items));
      else localStorage.removeItem(signalsKey);
    } catch (e) {}
  }

  // The stored queue is shared with the link's other tabs and the next page load: it is
  // changed by id, never overwritten with this tab's copy (a tab that just lost its turn
  // would otherwise drop what the new answering tab queued).
  function signalsAdopt() {
    var known = {};
    signalQueue.forEach(function (item) { known[item.id] = true; });
    signalsStored().forEach(function (item) { if (!known[item.id]) signalQueue.push(item); });
  }

  function signalsForget(ids) {
    var unsent = function (item) { return ids.indexOf(item.id) === -1; };
    signalQueue = signalQueue.filter(unsent);
    signalsWrite(signalsStored().filter(unsent));
  }

  function signal(kind, began, fields) {
    if (!signalsUrl || !active || timeUp) return;
    var item = {kind: kind, id: Date.now().toString(36) + Math.random().toString(36).slice(2, 12),
                at: new Date(began + skew).toISOString()};
    Object.keys(fields).forEach(function (name) { item[name] = fields[name]; });
    signalQueue.push(item);
    signalsWrite(signalsStored().concat([item]));
    signalsSend();
  }

  function signalsSend(keepalive) {
    if (!active || signalSending || !signalQueue.length) return signalSending || Promise.resolve();
    clearTimeout(signalTimer);
    var batch = signalQueue.slice(0, 50);
    signalSending = fetch(signalsUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({signals: batch}),
      keepalive: keepalive === true,
      credentials: "same-origin"
    }).then(function (response) {
      // Stored, or refused for good (the test is over, a malformed batch): done either way.
      var again = response.status >= 500 || response.status === 429 || response.status === 408;
      if (again) throw new Error("retry");
      signalFailures = 0;
      signalsForget(batch.map(function (item) { return item.id; }));
    }).catch(function () {
      signalFailures += 1;
      signalTimer = setTimeout(signalsSend, Math.min(60000, 2000 * Math.pow(2, signalFailures - 1)));
    }).then(function () {
      signalSending = null;
      if (signalQueue.length && !signalFailures) signalsSend();
    });
    return signalSending;
  }

  function idleCheck(now) {
    if (awaySince === null && now - lastInput >= IDLE_MS) {
      signal("idle", lastInput, {seconds: Math.round((now - lastInput) / 100) / 10});
    }
    lastInput = now;
  }

  function awayStart(reason) {
    if (awaySince === null) { idleCheck(Date.now()); awaySince = Date.now(); }
    if (reason === "hidden" || !awayReason) awayReason = reason;
  }

  function awayEnd() {
    if (awaySince === null) return;
    var now = Date.now();
    if (now - awaySince >= AWAY_MIN_MS) {
      signal("away", awaySince, {seconds: Math.round((now - awaySince) / 100) / 10, reason: awayReason});
    }
    awaySince = null;
    awayReason = "";
    lastInput = now;  // time away is not also idle time
  }

  form.addEventListener("paste", function (event) {
    var text = event.clipboardData ? event.clipboardData.getData("text") : "";
    if (text.length < PASTE_MIN) return;
    signal("paste", Date.now(), {size: text.length, preview: text.replace(/\s+/g, " ").trim().slice(0, 20)});
  });
  ["keydown", "pointerdown", "input", "wheel"].forEach(function (name) {
    document.addEventListener(name, function () { idleCheck(Date.now()); }, true);
  });
  window.addEventListener("blur", function () { awayStart("blur"); });
  window.addEventListener("focus", awayEnd);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { awayStart("hidden"); signalsSend(true); }
    else if (document.hasFocus()) awayEnd();
  });
  window.addEventListener("online", function () { signalFailures = 0; signalsSend(); });
  // Sent beside the final save, not as a submit hook (hooks make the page say it uploads a
  // recording); the submit follows that save, so this batch is normally stored first.
  window.addEventListener("mariohr:submitting", function () { idleCheck(Date.now()); signalsSend(true); });

  render();
  interval = setInterval(tick, 1000);
  setInterval(pollClock, CLOCK_POLL_MS);
  tick();
  electTab();
})();
