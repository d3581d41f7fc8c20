/* MarioHR session recorder: consent, MediaRecorder (WebM), chunked upload with retries.
 *
 * Rendered by templates/recordings/_capture.html after Start. Each chunk is POSTed to
 * <chunk-url><seq> as raw WebM; the server answers 201 (stored) or 200 (already had it), so
 * a retry after a lost answer is harmless. Before the page submits, the last chunk is
 * flushed through the candidate page's `window.mariohrBeforeSubmit` hook.
 *
 * window.mariohrRecording exposes the state (for the page and for tests).
 */
(function () {
  "use strict";
  var root = document.getElementById("recording-capture");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";

  var required = root.dataset.mode === "required";
  var chunkUrl = root.dataset.chunkUrl;
  var consentUrl = root.dataset.consentUrl;
  var chunkMs = parseInt(root.dataset.chunkMs, 10) || 4000;
  var consentBox = root.querySelector("[data-recording-consent]");
  var statusEl = root.querySelector("[data-recording-status]");
  var preview = root.querySelector("[data-recording-preview]");
  var acceptButton = root.querySelector("[data-recording-accept]");
  var declineButton = root.querySelector("[data-recording-decline]");

  var state = window.mariohrRecording = {
    state: "asking", uploaded: 0, retries: 0, lastError: "", startedAt: null, stoppedAt: null,
    screen: false
  };
  var queue = [], nextSeq = 0, uploading = false, retryDelay = 1000;
  var recorder = null, tracks = [], stopped = Promise.resolve(), drainWaiters = [];

  function say(text) { statusEl.textContent = text; }

  function setState(name) {
    state.state = name;
    root.dataset.state = name;
  }

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

  function tellServer(consent, detail) {
    return fetch(consentUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({consent: consent, detail: detail || ""}),
      credentials: "omit"
    }).catch(function () {});
  }

  function refused(consent, detail, message) {
    tellServer(consent, detail);
    stopTracks();
    if (required) {
      setState("blocked");
      blockPage(true);
      say(message + " This test requires a recording, so you cannot take it without camera " +
          "and microphone access. Allow access in your browser and press the button again, " +
          "or contact the recruiter.");
      acceptButton.disabled = false;
      acceptButton.textContent = "Try again";
    } else {
      setState("declined");
      blockPage(false);
      consentBox.hidden = true;
      say(message + " Recording is optional for this test: you can continue without it.");
    }
  }

  function mimeType() {
    var types = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
    for (var i = 0; i < types.length; i++) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported(types[i])) return types[i];
    }
    return "";
  }

  function stopTracks() {
    tracks.forEach(function (track) { track.stop(); });
    tracks = [];
  }

  // Screen and camera in one video: the screen fills the frame, the camera sits in a corner.
  function composite(screen, camera) {
    var screenVideo = document.createElement("video");
    var cameraVideo = document.createElement("video");
    [[screenVideo, screen], [cameraVideo, camera]].forEach(function (pair) {
      pair[0].muted = true;
      pair[0].srcObject = pair[1];
      pair[0].play().catch(function () {});
    });
    var canvas = document.createElement("canvas");
    var settings = screen.getVideoTracks()[0].getSettings();
    canvas.width = Math.min(settings.width || 1280, 1920);
    canvas.height = Math.min(settings.height || 720, 1080);
    var context = canvas.getContext("2d");
    function draw() {
      context.drawImage(screenVideo, 0, 0, canvas.width, canvas.height);
      var width = Math.round(canvas.width / 5), height = Math.round(width * 9 / 16);
      context.drawImage(cameraVideo, canvas.width - width - 8, canvas.height - height - 8, width, height);
    }
    // The candidate works in another window, so this tab is hidden and its timers are
    // throttled to once a second or less; a worker's timer keeps the frames coming.
    var ticker = new Worker(root.dataset.tickerUrl);
    ticker.onmessage = draw;
    screen.getVideoTracks()[0].addEventListener("ended", function () { ticker.terminate(); });
    var mixed = canvas.captureStream(15);
    camera.getAudioTracks().forEach(function (track) { mixed.addTrack(track); });
    return mixed;
  }

  function start() {
    acceptButton.disabled = true;
    declineButton.disabled = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !mimeType()) {
      declineButton.disabled = false;
      refused("unavailable", "MediaRecorder or getUserMedia missing",
              "This browser cannot record video (try a current Chrome, Edge or Firefox).");
      return;
    }
    say("Asking for your camera and microphone…");
    navigator.mediaDevices.getUserMedia({
      video: {width: {ideal: 640}, height: {ideal: 360}, frameRate: {ideal: 15}},
      audio: true
    }).then(function (camera) {
      tracks = camera.getTracks();
      preview.srcObject = camera;
      preview.hidden = false;
      if (root.dataset.captureScreen !== "1" || !navigator.mediaDevices.getDisplayMedia) {
        return camera;
      }
      say("Choose the screen to share (optional: cancel to record only the camera).");
      return navigator.mediaDevices.getDisplayMedia({video: {frameRate: 15}, audio: false})
        .then(function (screen) {
          state.screen = true;
          tracks = tracks.concat(screen.getTracks());
          return composite(screen, camera);
        })
        .catch(function () { return camera; });
    }).then(record, function (error) {
      declineButton.disabled = false;
      var missing = ["NotFoundError", "NotReadableError", "OverconstrainedError"].indexOf(error.name) !== -1;
      refused(missing ? "unavailable" : "declined", error.name + ": " + error.message,
              missing ? "No camera or microphone could be used." : "Camera and microphone access was refused.");
    });
  }

  function record(stream) {
    recorder = new MediaRecorder(stream, {mimeType: mimeType(), videoBitsPerSecond: 800000});
    recorder.ondataavailable = function (event) {
      if (event.data && event.data.size > 0) {
        queue.push({seq: nextSeq++, blob: event.data});
        pump();
      }
    };
    stopped = new Promise(function (resolve) {
      recorder.onstop = function () {
        state.stoppedAt = Date.now();
        stopTracks();
        resolve();
      };
    });
    recorder.start(chunkMs);
    state.startedAt = Date.now();
    setState("recording");
    tellServer("given", "");
    consentBox.hidden = true;
    blockPage(false);
    say("Recording. It is uploaded every few seconds while you work.");
  }

  function pump() {
    if (uploading) return;
    if (!queue.length) {
      drainWaiters.splice(0).forEach(function (resolve) { resolve(); });
      return;
    }
    uploading = true;
    var item = queue[0];
    fetch(chunkUrl + item.seq, {
      method: "POST",
      headers: {"Content-Type": "video/webm"},
      body: item.blob,
      credentials: "omit"
    }).then(function (response) {
      if (response.ok) return "stored";
      return response.json().catch(function () { return {}; }).then(function (body) {
        state.lastError = response.status + " " + (body.detail || "");
        // Retry what may pass later (server trouble, rate limits); drop what never will.
        return response.status >= 500 || response.status === 408 || response.status === 429
          ? "retry" : response.status === 409 || response.status === 410 ? "closed" : "drop";
      });
    }, function (error) {
      state.lastError = String(error);
      return "retry";
    }).then(function (outcome) {
      uploading = false;
      if (outcome === "retry") {
        state.retries++;
        say("Upload interrupted; retrying. Keep this page open.");
        setTimeout(pump, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
        return;
      }
      queue.shift();
      retryDelay = 1000;
      if (outcome === "stored") {
        state.uploaded++;
        if (state.state === "recording") say("Recording. Uploaded " + state.uploaded + " part(s).");
      } else if (outcome === "closed") {
        queue = [];
        stop();
        say("The recording was closed by the server: " + state.lastError);
      }
      pump();
    });
  }

  function stop() {
    if (recorder && recorder.state !== "inactive") {
      setState("stopping");
      recorder.stop();
    }
    return stopped;
  }

  // Stop, upload the last chunk, resolve when everything queued has been acknowledged.
  function flush() {
    return stop().then(function () {
      return new Promise(function (resolve) {
        drainWaiters.push(resolve);
        pump();
      });
    }).then(function () { setState("done"); });
  }

  acceptButton.addEventListener("click", start);
  declineButton.addEventListener("click", function () {
    refused("declined", "declined on the consent screen", "You declined the recording.");
  });
  (window.mariohrBeforeSubmit = window.mariohrBeforeSubmit || []).push(flush);
  if (required) blockPage(true);
  say(required ? "Please answer the recording request to begin." : "");
})();
