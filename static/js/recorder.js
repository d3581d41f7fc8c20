/* MarioHR session recorder on the test page: segments, IndexedDB, ordered retried uploads.
 *
 * Rendered by templates/recordings/_capture.html. Consent was normally given on the intro
 * page, so recording starts on load. Every page load (and every resume) records a new
 * *segment* (random id, `started` in server time); MediaRecorder's chunks go first into
 * IndexedDB (one database per candidate link) and are uploaded oldest first to
 * <segments-url><segment>/chunks/<seq>?started=<ms>, each deleted only after 200/201. Chunks
 * left behind by an earlier page load (reload, crash, offline) are uploaded the same way.
 * Network errors and 5xx/408/429 are retried with backoff (1 s … 30 s); an answer with
 * `closed: true` (or 410) means the interview no longer records: what is left is dropped and
 * the candidate is told.
 *
 * With tab coordination (candidate.js: window.mariohrTab, mariohr:tab-active/-passive) only
 * the active tab records. Before the page submits, `window.mariohrBeforeSubmit` gets a flush:
 * stop, then upload everything stored.
 *
 * window.mariohrRecording exposes the state (for the page and for tests).
 */
(function () {
  "use strict";
  var root = document.getElementById("recording-capture");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";

  var BACKOFF_MIN_MS = 1000, BACKOFF_MAX_MS = 30000, FLUSH_CAP_MS = 25000;
  // candidate.js decides which tab is active; an older page without it never will.
  var TAB_DECISION_WAIT_MS = 3000;
  // Count-only changes of the status line are announced at most this often.
  var RESAY_MS = 15000;
  var DEVICES_KEY = "mariohr-recording-devices";

  var data = root.dataset;
  var required = data.mode === "required";
  var captureScreen = data.captureScreen === "1";
  var chunkMs = parseInt(data.chunkMs, 10) || 4000;
  var heading = document.getElementById("recording-heading");
  var consentBox = root.querySelector("[data-recording-consent]");
  var acceptButton = root.querySelector("[data-recording-accept]");
  var declineButton = root.querySelector("[data-recording-decline]");
  var statusEl = root.querySelector("[data-recording-status]");
  var resumeButton = root.querySelector("[data-recording-resume]");
  var screenButton = root.querySelector("[data-recording-screen]");
  var preview = root.querySelector("[data-recording-preview]");
  var consent = window.mariohrConsentHandshake(data.consentUrl);

  var state = window.mariohrRecording = {
    state: "starting", uploaded: 0, pending: 0, dropped: 0, segmentId: null, segments: 0,
    retries: 0, lastError: "", startedAt: null, stoppedAt: null, screen: false
  };
  var skew = serverSkew(parseInt(data.serverNow, 10));
  var store = chunkStore(data.store);
  var media = null;              // the running segment
  var passive = false, finishing = false, closed = false, trouble = "", stopReason = "";
  var pumping = false, retryTimer = null, backoff = BACKOFF_MIN_MS, drainWaiters = [];
  var said = {kind: "", at: 0};

  // ---- server clock -------------------------------------------------------------------

  function serverSkew(serverNow) {
    if (!serverNow) return 0;
    // The server stamped the page just before sending it: compare with when it arrived.
    var navigation = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    var arrived = navigation && navigation.responseStart
      ? performance.timeOrigin + navigation.responseStart : Date.now();
    return serverNow - arrived;
  }

  function serverNow() { return Math.round(Date.now() + skew); }

  // ---- chunk storage: IndexedDB, or memory when the browser refuses it -----------------

  function chunkStore(name) {
    var memory = [], opening = null;

    function open() {
      if (!opening) {
        opening = new Promise(function (resolve, reject) {
          if (!window.indexedDB) return reject(new Error("no IndexedDB"));
          var request = indexedDB.open(name, 1);
          request.onupgradeneeded = function () {
            var chunks = request.result.createObjectStore("chunks", {keyPath: ["segment", "seq"]});
            chunks.createIndex("order", ["started", "segment", "seq"]);
          };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        }).catch(function (error) {
          state.lastError = "IndexedDB: " + error;
          return null;
        });
      }
      return opening;
    }

    // Runs `body(objectStore)` in one transaction; resolves with what `body` put in `out.value`.
    function run(mode, body) {
      return open().then(function (db) {
        if (!db) {
          var fallback = {};
          body(null, fallback);
          return fallback.value;
        }
        return new Promise(function (resolve, reject) {
          var transaction = db.transaction("chunks", mode), out = {};
          body(transaction.objectStore("chunks"), out);
          transaction.oncomplete = function () { resolve(out.value); };
          transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
        });
      });
    }

    function byOrder(a, b) {
      return a.started - b.started || (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0) || a.seq - b.seq;
    }

    return {
      put: function (item) {
        return run("readwrite", function (chunks) {
          if (!chunks) {
            memory.push(item);
            memory.sort(byOrder);
            return;
          }
          chunks.put(item);
        }).catch(function (error) {
          // Quota or a broken database: keep it in memory rather than lose it.
          state.lastError = "IndexedDB: " + error;
          memory.push(item);
          memory.sort(byOrder);
        });
      },
      first: function () {
        if (memory.length) return Promise.resolve(memory[0]);
        return run("readonly", function (chunks, out) {
          if (!chunks) return;
          chunks.index("order").openCursor().onsuccess = function (event) {
            var cursor = event.target.result;
            out.value = cursor ? cursor.value : null;
          };
        });
      },
      remove: function (item) {
        var index = memory.indexOf(item);
        if (index !== -1) {
          memory.splice(index, 1);
          return Promise.resolve();
        }
        return run("readwrite", function (chunks) {
          if (chunks) chunks.delete([item.segment, item.seq]);
        });
      },
      clear: function () {
        var count = memory.length;
        memory = [];
        return run("readwrite", function (chunks, out) {
          out.value = count;
          if (!chunks) return;
          chunks.count().onsuccess = function (event) { out.value = count + event.target.result; };
          chunks.clear();
        });
      },
      count: function () {
        return run("readonly", function (chunks, out) {
          out.value = memory.length;
          if (!chunks) return;
          chunks.count().onsuccess = function (event) { out.value = memory.length + event.target.result; };
        });
      }
    };
  }

  function countPending() {
    return store.count().then(function (count) {
      state.pending = count || 0;
      render();
    }, function () {});
  }

  // ---- upload: oldest chunk first, one at a time ---------------------------------------

  function send(item) {
    var url = data.segmentsUrl + encodeURIComponent(item.segment) + "/chunks/" + item.seq +
      "?started=" + item.started;
    return fetch(url, {
      method: "POST",
      headers: {"Content-Type": "video/webm"},
      body: item.blob,
      credentials: "omit"
    }).then(function (response) {
      if (response.ok) return "stored";
      return response.json().catch(function () { return {}; }).then(function (body) {
        state.lastError = response.status + " " + (body.message || "");
        if (response.status >= 500 || response.status === 408 || response.status === 429) return "server";
        if (body.closed || response.status === 410 || response.status === 404) return "closed";
        return "refused";  // this chunk never passes (other bytes, too large): drop it alone
      });
    }, function (error) {
      state.lastError = String(error);
      return "offline";
    });
  }

  function pump() {
    if (pumping || closed) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    pumping = true;
    store.first().then(function (item) {
      if (!item) {
        pumping = false;
        trouble = "";
        state.pending = 0;
        render();
        drainWaiters.splice(0).forEach(function (resolve) { resolve(); });
        return;
      }
      return send(item).then(function (outcome) {
        if (outcome === "offline" || outcome === "server") {
          pumping = false;
          state.retries++;
          trouble = outcome;
          retryTimer = setTimeout(pump, backoff);
          backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
          return countPending();
        }
        if (outcome === "closed") {
          pumping = false;
          return close();
        }
        trouble = "";
        backoff = BACKOFF_MIN_MS;
        if (outcome === "stored") state.uploaded++;
        else state.dropped++;
        return store.remove(item).then(function () {
          pumping = false;
          return countPending();
        }).then(pump);
      });
    }).catch(function (error) {
      pumping = false;
      state.lastError = String(error);
      retryTimer = setTimeout(pump, backoff);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    });
  }

  // The server will never take more: stop, drop what is stored, and say so.
  function close() {
    closed = true;
    clearTimeout(retryTimer);
    stopSegment();
    return store.clear().then(function (count) {
      state.dropped += count || 0;
      state.pending = 0;
      setState("closed");
      drainWaiters.splice(0).forEach(function (resolve) { resolve(); });
    });
  }

  function keep(segment, blob) {
    var item = {segment: segment.id, started: segment.started, seq: segment.seq++, blob: blob};
    store.put(item).then(function () {
      state.pending++;
      render();
      pump();
    });
  }

  // ---- capture ------------------------------------------------------------------------

  function mimeType() {
    var types = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
    for (var i = 0; i < types.length; i++) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported(types[i])) return types[i];
    }
    return "";
  }

  function segmentId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function cameraConstraints() {
    var chosen = {};
    try { chosen = JSON.parse(localStorage.getItem(DEVICES_KEY) || "{}") || {}; } catch (e) {}
    return {
      video: {
        width: {ideal: 640}, height: {ideal: 360}, frameRate: {ideal: 15},
        deviceId: chosen.camera ? {ideal: chosen.camera} : undefined
      },
      audio: chosen.microphone ? {deviceId: {ideal: chosen.microphone}} : true
    };
  }

  // Screen and camera in one fixed-size video: the screen fills the frame (once shared), the
  // camera sits in a corner. A fixed size keeps every segment alike, shared screen or not.
  function composite(camera) {
    var canvas = document.createElement("canvas");
    canvas.width = 1280;
    canvas.height = 720;
    var context = canvas.getContext("2d");
    var cameraVideo = playing(camera), screenVideo = null;
    function draw() {
      context.fillStyle = "#111827";
      context.fillRect(0, 0, canvas.width, canvas.height);
      if (screenVideo) {
        context.drawImage(screenVideo, 0, 0, canvas.width, canvas.height);
        var width = Math.round(canvas.width / 5), height = Math.round(width * 9 / 16);
        context.drawImage(cameraVideo, canvas.width - width - 8, canvas.height - height - 8, width, height);
      } else {
        context.drawImage(cameraVideo, 160, 0, 960, 540);
      }
    }
    // The candidate works in another window, so this tab is hidden and its timers are
    // throttled to once a second or less; a worker's timer keeps the frames coming.
    var ticker = new Worker(data.tickerUrl);
    ticker.onmessage = draw;
    var mixed = canvas.captureStream(15);
    camera.getAudioTracks().forEach(function (track) { mixed.addTrack(track); });
    return {
      stream: mixed,
      setScreen: function (screen) { screenVideo = screen ? playing(screen) : null; },
      stop: function () { ticker.terminate(); }
    };
  }

  function playing(stream) {
    var video = document.createElement("video");
    video.muted = true;
    video.srcObject = stream;
    video.play().catch(function () {});
    return video;
  }

  function startSegment() {
    if (media || closed || finishing || passive) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !mimeType()) {
      stopped("This browser cannot record video (use a current Chrome, Edge or Firefox).");
      return;
    }
    var current = media = {id: segmentId(), started: 0, seq: 0, tracks: [], screen: null};
    setState("starting");
    navigator.mediaDevices.getUserMedia(cameraConstraints()).then(function (camera) {
      current.tracks = camera.getTracks();
      if (media !== current) return stopTracks(current);
      var source = camera;
      if (captureScreen) {
        current.mixer = composite(camera);
        source = current.mixer.stream;
      }
      current.recorder = new MediaRecorder(source, {mimeType: mimeType(), videoBitsPerSecond: 800000});
      current.recorder.ondataavailable = function (event) {
        if (event.data && event.data.size > 0) keep(current, event.data);
      };
      current.stopped = new Promise(function (resolve) {
        current.recorder.onstop = function () {
          state.stoppedAt = Date.now();
          stopTracks(current);
          resolve();
        };
      });
      camera.getTracks().forEach(function (track) {
        track.addEventListener("ended", function () {
          if (media !== current) return;
          stopSegment();
          stopped("Your " + (track.kind === "audio" ? "microphone" : "camera") + " was disconnected.");
        });
      });
      current.started = serverNow();
      current.recorder.start(chunkMs);
      if (data.consent !== "given") {
        // Consent asked on this page: tell the server now that the recording runs.
        data.consent = "given";
        consent.send("given", "");
      }
      state.segmentId = current.id;
      state.segments++;
      state.startedAt = state.startedAt || Date.now();
      state.stoppedAt = null;
      preview.srcObject = camera;
      preview.hidden = false;
      setState("recording");
      showScreenButton();
    }).catch(function (error) {
      if (media !== current) return;
      media = null;
      var refused = error.name === "NotAllowedError" || error.name === "SecurityError";
      var reason = refused ? "Camera and microphone access was refused." : "No camera or microphone could be used.";
      if (data.consent === "given") {
        stopped(reason + (refused ? " Allow it in your browser's address bar." : ""));
      } else {
        unavailableHere(reason, error);
      }
    });
  }

  function stopTracks(segment) {
    segment.tracks.forEach(function (track) { track.stop(); });
    if (segment.screen) segment.screen.getTracks().forEach(function (track) { track.stop(); });
    if (segment.mixer) segment.mixer.stop();
    if (preview.srcObject && segment.tracks.indexOf(preview.srcObject.getTracks()[0]) !== -1) {
      preview.srcObject = null;
      preview.hidden = true;
    }
  }

  // Ends the running segment; resolves once its last chunk is stored.
  function stopSegment() {
    var current = media;
    media = null;
    hideButton(screenButton);
    if (!current) return Promise.resolve();
    if (!current.recorder) {
      stopTracks(current);
      return Promise.resolve();
    }
    if (current.recorder.state !== "inactive") current.recorder.stop();
    return current.stopped.then(function () {
      // The last chunk's put was started before onstop: wait for the store, then count.
      return countPending();
    });
  }

  function stopped(reason) {
    stopReason = reason;
    setState("stopped");
    resumeButton.hidden = finishing || closed || passive;
  }

  function shareScreen() {
    var current = media;
    if (!current || !current.mixer || !navigator.mediaDevices.getDisplayMedia) return;
    navigator.mediaDevices.getDisplayMedia({video: {frameRate: 15}, audio: false}).then(function (screen) {
      if (media !== current) {
        screen.getTracks().forEach(function (track) { track.stop(); });
        return;
      }
      current.screen = screen;
      current.mixer.setScreen(screen);
      state.screen = true;
      hideButton(screenButton);
      render(true);
      screen.getVideoTracks()[0].addEventListener("ended", function () {
        if (media !== current) return;
        current.screen = null;
        current.mixer.setScreen(null);
        state.screen = false;
        screenButton.textContent = "Share your screen again";
        showScreenButton();
        render(true);
      });
    }, function (error) {
      state.lastError = "screen: " + error.name;
    });
  }

  function showScreenButton() {
    screenButton.hidden = !(media && media.mixer && !state.screen && navigator.mediaDevices.getDisplayMedia);
  }

  function hideButton(button) {
    if (button.contains(document.activeElement)) heading.focus();
    button.hidden = true;
  }

  // ---- state line ---------------------------------------------------------------------

  function setState(name) {
    state.state = name;
    root.dataset.state = name;
    if (name !== "stopped") hideButton(resumeButton);
    render(true);
  }

  function parts(count) { return count + (count === 1 ? " part" : " parts"); }

  function describe() {
    var waiting = state.pending;
    switch (state.state) {
    case "starting": return ["starting", "Starting the recording…"];
    case "recording":
      if (trouble === "offline" && waiting) {
        return ["offline", "Offline: " + parts(waiting) + " waiting to upload. Recording continues; " +
                "they are kept on this device and sent when the connection is back."];
      }
      if (trouble === "server" && waiting) {
        return ["server", "Upload problem: " + parts(waiting) + " waiting to upload; retrying. Recording continues."];
      }
      return ["recording", state.screen ? "Recording your camera, microphone and screen." : "Recording."];
    case "stopped": return ["stopped", "Recording stopped: " + stopReason + " Click “Resume recording” to continue."];
    case "passive":
      return ["passive", "Recording continues in your other tab."];
    case "flushing": return ["flushing", "Uploading the recording: " + parts(waiting) + " left…"];
    case "done":
      return waiting ? ["left", parts(waiting) + " of the recording could not be uploaded in time."]
                     : ["done", "Recording uploaded."];
    case "closed":
      return ["closed", "The recording is closed: this test no longer accepts it" +
              (state.dropped ? ", so " + parts(state.dropped) + " recorded on this device could not be uploaded." : ".")];
    case "declined": return ["declined", "Not recording: you chose to take this test without a recording."];
    case "unavailable":
      return ["unavailable", stopReason + " Recording is optional for this test: you can continue without it."];
    case "asking":
      return ["asking", required ? "Please answer the recording request to begin." : "Please answer the recording request."];
    case "blocked":
      return ["blocked", stopReason + " This test requires a recording, so you cannot take it without " +
              "camera and microphone access. Allow access in your browser and press “Try again”, or contact the recruiter."];
    }
    return [state.state, ""];
  }

  // role=status is announced on every change: change it when the state does, and repeat a
  // mere count change (3 parts waiting → 4) at most every RESAY_MS.
  function render(force) {
    var described = describe(), kind = described[0], text = described[1];
    if (statusEl.textContent === text) return;
    var now = Date.now();
    if (force || kind !== said.kind || now - said.at > RESAY_MS) {
      statusEl.textContent = text;
      said = {kind: kind, at: now};
    }
  }

  // ---- consent asked here (an interview started without answering on the intro page) ---

  // Required: the rest of the page stays hidden until the recording runs.
  function blockPage(blocked) {
    Array.prototype.forEach.call(root.parentNode.children, function (element) {
      if (element === root || element.tagName === "SCRIPT") return;
      if (blocked) {
        element.dataset.recordingHidden = "1";
        element.hidden = true;
      } else if (element.dataset.recordingHidden) {
        delete element.dataset.recordingHidden;
        element.hidden = false;
      }
    });
  }

  function askHere() {
    consentBox.hidden = false;
    if (required) blockPage(true);
    setState("asking");
  }

  // Asked here and the devices failed: a required test stays blocked, an optional one goes on.
  function unavailableHere(reason, error) {
    consent.send("unavailable", error.name + ": " + error.message);
    stopReason = reason;
    if (required) {
      consentBox.hidden = false;
      blockPage(true);
      acceptButton.textContent = "Try again";
      setState("blocked");
      return;
    }
    data.consent = "unavailable";
    setState("unavailable");
  }

  acceptButton.addEventListener("click", function () {
    heading.focus();
    consentBox.hidden = true;
    blockPage(false);
    startSegment();
  });

  declineButton.addEventListener("click", function () {
    consent.send("declined", "Declined on the test page.");
    data.consent = "declined";
    if (required) {
      stopReason = "You declined the recording.";
      acceptButton.textContent = "Try again";
      setState("blocked");
      return;
    }
    heading.focus();
    consentBox.hidden = true;
    setState("declined");
  });

  // ---- lifecycle ----------------------------------------------------------------------

  function begin() {
    if (passive || finishing || closed) return;
    if (data.consent === "given") startSegment();
    else if (data.consent && !required) setState("declined");
    else askHere();
  }

  resumeButton.addEventListener("click", function () {
    heading.focus();
    startSegment();
  });
  screenButton.addEventListener("click", shareScreen);

  function whenTabDecided(callback) {
    if (window.mariohrTab) return callback(window.mariohrTab.active);
    var decided = false;
    function once(active) {
      if (decided) return;
      decided = true;
      callback(active);
    }
    window.addEventListener("mariohr:tab-active", function () { once(true); }, {once: true});
    window.addEventListener("mariohr:tab-passive", function () { once(false); }, {once: true});
    setTimeout(function () { once(true); }, TAB_DECISION_WAIT_MS);
  }

  whenTabDecided(function (active) {
    passive = !active;
    if (passive) setState("passive");
    else begin();
    window.addEventListener("mariohr:tab-passive", function () {
      passive = true;
      stopSegment();
      if (!closed && !finishing) setState("passive");
    });
    window.addEventListener("mariohr:tab-active", function () {
      if (!passive) return;
      passive = false;
      begin();
    });
  });

  // Stop, upload everything stored; resolve when drained or after FLUSH_CAP_MS.
  function flush() {
    finishing = true;
    if (closed || (!state.segments && !state.pending)) return Promise.resolve();
    setState("flushing");
    return stopSegment().then(function () {
      return new Promise(function (resolve) {
        drainWaiters.push(resolve);
        setTimeout(resolve, FLUSH_CAP_MS);
        backoff = BACKOFF_MIN_MS;
        pump();
      });
    }).then(function () {
      if (!closed) setState("done");
    });
  }

  (window.mariohrBeforeSubmit = window.mariohrBeforeSubmit || []).push(flush);
  window.addEventListener("online", function () {
    backoff = BACKOFF_MIN_MS;
    pump();
  });
  // Whatever earlier page loads left behind goes first (it is older).
  countPending().then(pump);
  render(true);
})();
