/* MarioHR intro page: recording consent and the camera/microphone check, before the clock.
 *
 * Rendered by templates/assessments/candidate/intro.html when the test records. The
 * candidate agrees (or declines), then sees a live preview and a microphone level meter. A
 * required recording enables Start only once the check succeeded; an optional one may go on
 * without. The answer goes to the server twice: as a retried handshake to the consent URL
 * (recording_consent.js) and in the Start form's hidden fields, so neither alone can be lost.
 * The chosen devices are remembered (localStorage) for the recorder on the test page.
 *
 * window.mariohrDeviceCheck exposes the state for tests.
 */
(function () {
  "use strict";
  var root = document.getElementById("recording-setup");
  var form = document.getElementById("start-form");
  if (!root || !form || root.dataset.ready) return;

  var DEVICES_KEY = "mariohr-recording-devices";
  var required = root.dataset.mode === "required";
  var startButton = form.querySelector("[type=submit]");
  var startHint = document.getElementById("start-hint");
  var consentStep = root.querySelector("[data-consent-step]");
  var acceptButton = root.querySelector("[data-consent-accept]");
  var declineButton = root.querySelector("[data-consent-decline]");
  var deviceStep = root.querySelector("[data-device-step]");
  var deviceHeading = document.getElementById("device-check-heading");
  var preview = root.querySelector("[data-device-preview]");
  var meter = root.querySelector("[data-mic-level]");
  var cameraSelect = root.querySelector("[data-camera-select]");
  var microphoneSelect = root.querySelector("[data-microphone-select]");
  var retryButton = root.querySelector("[data-device-retry]");
  var withoutButton = root.querySelector("[data-continue-without]");
  var statusEl = root.querySelector("[data-setup-status]");
  var consent = window.mariohrConsentHandshake(root.dataset.consentUrl);

  var check = window.mariohrDeviceCheck = {
    state: "consent", consent: "", detail: "", level: 0, loudest: 0, error: "", handshake: consent.state
  };
  var stream = null, audioContext = null, meterTimer = null, attempt = 0;

  function say(text) {
    if (statusEl.textContent !== text) statusEl.textContent = text;
  }

  function answer(value, detail) {
    check.consent = value;
    check.detail = detail || "";
    form.elements.recording_consent.value = value;
    form.elements.recording_consent_detail.value = check.detail;
    consent.send(value, check.detail);
  }

  function allowStart(allowed) {
    startButton.disabled = !allowed;
    if (startHint) startHint.hidden = allowed;
  }

  // Never hide the element that has the focus: move it somewhere sensible first.
  function hide(element, focusTarget) {
    if (element.contains(document.activeElement)) focusTarget.focus();
    element.hidden = true;
  }

  function remembered() {
    try { return JSON.parse(localStorage.getItem(DEVICES_KEY) || "{}") || {}; } catch (e) { return {}; }
  }

  function remember(media) {
    var video = media.getVideoTracks()[0], audio = media.getAudioTracks()[0];
    var chosen = {
      camera: video ? video.getSettings().deviceId || "" : "",
      microphone: audio ? audio.getSettings().deviceId || "" : ""
    };
    try { localStorage.setItem(DEVICES_KEY, JSON.stringify(chosen)); } catch (e) {}
  }

  function constraints() {
    var chosen = remembered();
    var camera = cameraSelect.value || chosen.camera, microphone = microphoneSelect.value || chosen.microphone;
    return {
      video: {
        width: {ideal: 640}, height: {ideal: 360}, frameRate: {ideal: 15},
        deviceId: camera ? {ideal: camera} : undefined
      },
      audio: microphone ? {deviceId: {ideal: microphone}} : true
    };
  }

  function stopDevices() {
    clearInterval(meterTimer);
    meterTimer = null;
    if (audioContext) audioContext.close().catch(function () {});
    audioContext = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    preview.srcObject = null;
    meter.value = 0;
  }

  function meterStart(media) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || !media.getAudioTracks().length) return;
    audioContext = new Context();
    var analyser = audioContext.createAnalyser();
    analyser.fftSize = 1024;
    audioContext.createMediaStreamSource(media).connect(analyser);
    audioContext.resume().catch(function () {});
    var samples = new Uint8Array(analyser.fftSize);
    meterTimer = setInterval(function () {
      analyser.getByteTimeDomainData(samples);
      var sum = 0;
      for (var i = 0; i < samples.length; i++) {
        var value = (samples[i] - 128) / 128;
        sum += value * value;
      }
      // RMS of speech is around 0.05-0.3; scale so normal speech fills most of the bar.
      var level = Math.min(100, Math.round(Math.sqrt(sum / samples.length) * 300));
      meter.value = level;
      meter.textContent = level + "%";
      check.level = level;
      check.loudest = Math.max(check.loudest, level);
    }, 100);
  }

  function listDevices(media) {
    if (!navigator.mediaDevices.enumerateDevices) return Promise.resolve();
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      [[cameraSelect, "videoinput", media.getVideoTracks()[0], "Camera"],
       [microphoneSelect, "audioinput", media.getAudioTracks()[0], "Microphone"]].forEach(function (row) {
        var select = row[0], current = row[2] ? row[2].getSettings().deviceId : "";
        var matching = devices.filter(function (device) { return device.kind === row[1]; });
        if (!matching.length) return;
        select.textContent = "";
        matching.forEach(function (device, index) {
          var option = document.createElement("option");
          option.value = device.deviceId;
          option.textContent = device.label || row[3] + " " + (index + 1);
          option.selected = device.deviceId === current;
          select.appendChild(option);
        });
        select.disabled = false;
      });
    }).catch(function () {});
  }

  function playing(video) {
    return new Promise(function (resolve, reject) {
      if (video.readyState >= 2 && !video.paused) return resolve();
      var timer = setTimeout(function () {
        var error = new Error("The camera shows no picture.");
        error.name = "NoPicture";
        reject(error);
      }, 10000);
      video.addEventListener("playing", function () { clearTimeout(timer); resolve(); }, {once: true});
      video.play().catch(function () {});
    });
  }

  function helpFor(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "Your browser blocked the camera or microphone. Allow access (the camera icon in the " +
        "address bar, or this site's settings in your browser), then press Try again.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No camera or microphone was found. Connect them, then press Try again.";
    }
    if (name === "NotReadableError" || name === "AbortError") {
      return "Your camera or microphone could not be started: another application may be using " +
        "it. Close that application, then press Try again.";
    }
    if (name === "Unsupported") {
      return "This browser cannot record video. Open this link in a current Chrome, Edge or Firefox.";
    }
    if (name === "TrackEnded") return "Your camera or microphone was disconnected. Reconnect it, then press Try again.";
    if (name === "NoPicture") return "Your camera shows no picture. Check it, then press Try again.";
    return "Your camera or microphone could not be used (" + (error && error.message || name) + "). Press Try again.";
  }

  function failed(mine, error) {
    if (mine !== attempt) return;
    stopDevices();
    check.state = "failed";
    check.error = (error && error.name) || "Error";
    answer("unavailable", check.error + ": " + ((error && error.message) || ""));
    retryButton.hidden = false;
    var wayOut = required
      ? " This test requires a recording, so it can start only once this check succeeds. " +
        "If it keeps failing, contact the recruiter who sent you this link."
      : " Or continue without recording: it is optional for this test.";
    say("The camera and microphone check failed. " + helpFor(error) + wayOut);
    allowStart(!required);
  }

  function runCheck() {
    var mine = ++attempt;
    stopDevices();
    check.state = "checking";
    check.error = "";
    check.loudest = 0;
    hide(retryButton, deviceHeading);
    if (required) allowStart(false);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      var unsupported = new Error("MediaRecorder or getUserMedia missing");
      unsupported.name = "Unsupported";
      failed(mine, unsupported);
      return;
    }
    say("Asking for your camera and microphone…");
    navigator.mediaDevices.getUserMedia(constraints()).then(function (media) {
      if (mine !== attempt) {
        media.getTracks().forEach(function (track) { track.stop(); });
        return;
      }
      stream = media;
      media.getTracks().forEach(function (track) {
        track.addEventListener("ended", function () {
          if (stream !== media) return;
          var error = new Error(track.kind + " track ended");
          error.name = "TrackEnded";
          failed(mine, error);
        });
      });
      preview.srcObject = media;
      meterStart(media);
      return Promise.all([playing(preview), listDevices(media)]).then(function () {
        if (mine !== attempt) return;
        check.state = "ready";
        remember(media);
        if (check.consent !== "given") answer("given", "");
        allowStart(true);
        say("Your camera and microphone work. Say something to see the level move, then press " +
            "Start the test when you are ready.");
        var focused = document.activeElement;
        if (!focused || focused === document.body || focused === deviceHeading) startButton.focus();
      });
    }).catch(function (error) { failed(mine, error); });
  }

  acceptButton.addEventListener("click", function () {
    answer("given", "");
    deviceStep.hidden = false;
    deviceHeading.focus();
    hide(consentStep, deviceHeading);
    runCheck();
  });

  declineButton.addEventListener("click", function () {
    answer("declined", "Declined before starting the test.");
    if (required) {
      allowStart(false);
      say("This test requires a recording, so it cannot start without one. If you change your " +
          "mind, press “I agree”; otherwise contact the recruiter who sent you this link.");
      return;
    }
    check.state = "declined";
    allowStart(true);
    say("You will take this test without a recording. Press Start the test when you are ready.");
    startButton.focus();
  });

  if (withoutButton) {
    withoutButton.addEventListener("click", function () {
      attempt++;
      stopDevices();
      check.state = "declined";
      if (check.error) answer("unavailable", check.detail);
      else answer("declined", "Chose to continue without recording.");
      allowStart(true);
      say("You will take this test without a recording. Press Start the test when you are ready.");
      startButton.focus();
    });
  }

  retryButton.addEventListener("click", runCheck);
  cameraSelect.addEventListener("change", runCheck);
  microphoneSelect.addEventListener("change", runCheck);

  form.addEventListener("submit", function () {
    // Optional recording, no answer: starting is the answer.
    if (!check.consent) {
      form.elements.recording_consent.value = "declined";
      form.elements.recording_consent_detail.value = "Started the test without turning the recording on.";
    }
    stopDevices();
  });

  allowStart(!required);
  root.dataset.ready = "1";
})();
