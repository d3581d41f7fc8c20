/* MarioHR report page: the Print button (a script file: the Content-Security-Policy allows
 * no inline handlers). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
