/* MarioHR report page: the Print button and the timeline's seek buttons (a script file: the
 * Content-Security-Policy allows no inline handlers). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A timeline entry's button seeks the session recording to the moment it happened.
  document.querySelectorAll("[data-seek]").forEach(function (button) {
    button.addEventListener("click", function () {
      var video = document.querySelector("#report-recording video");
      if (!video) return;
      video.currentTime = Number(button.dataset.seek) || 0;
      video.scrollIntoView({block: "center"});
      video.focus();
    });
  });
})();
