/* MarioHR: the candidate's forms outside the test, the accommodation request (intro page) and
 * the feedback after submitting (status page).
 *
 * Sent with fetch, so a double click sends once, a reload after sending is a plain GET of the
 * page (never the POST again: a second email), and a lost connection says so and keeps what
 * was typed. The server's answer is a whole page; its section of the same id replaces this
 * one, so its messages (sent, thanks, a refusal) are the server's own. Without JavaScript
 * the forms post as plain forms, and the server's redirect after a send makes a reload a GET.
 */
(function () {
  "use strict";
  var OFFLINE = "Not sent: you seem to be offline, or the connection dropped. What you typed is kept here; press \u201c%s\u201d again when you are back online.";
  var SERVER = "Not sent: the server could not take it just now. What you typed is kept here; try again in a moment.";

  function problemShow(form, button, text) {
    var problem = form.querySelector("[data-send-problem]");
    if (!problem) {
      problem = document.createElement("p");
      problem.className = "form-error";
      problem.setAttribute("role", "alert");
      problem.setAttribute("data-send-problem", "");
      button.parentNode.insertBefore(problem, button);
    }
    // Cleared first so the same words after a second failed try are spoken again.
    problem.textContent = "";
    setTimeout(function () { problem.textContent = text; }, 50);
  }

  function failed(form, button, text) {
    delete form.dataset.sending;
    button.disabled = false;
    problemShow(form, button, text);
  }

  function placed(section, response, html, form, button) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(section.id);
    if (fresh && fresh.hasAttribute("data-candidate-form")) {
      section.replaceWith(fresh);
      var target = fresh.querySelector("[aria-invalid='true'], [data-focus-after-send]");
      if (target) target.focus();
      return;
    }
    if (response.status >= 500) { failed(form, button, SERVER); return; }
    // The test moved on meanwhile (started, cancelled, erased): show the page as it is now.
    window.location.assign(section.dataset.pageUrl);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target, section = form.closest && form.closest("[data-candidate-form]");
    if (!section) return;
    event.preventDefault();
    if (form.dataset.sending) return;  // a double click
    form.dataset.sending = "1";
    var button = form.querySelector("button");
    button.disabled = true;
    // The same id on every try of this form (the page's own, when it gave one): a server that
    // keeps it can tell a resend after a lost answer from a new request (see the README).
    var given = form.elements.namedItem("request_id");
    form.dataset.requestId = form.dataset.requestId || (given && given.value) || Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
    var body = new URLSearchParams(new FormData(form));
    body.set("request_id", form.dataset.requestId);
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: {"Accept": "text/html"},
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (html) { return {response: response, html: html}; });
    }).then(function (answer) {
      placed(section, answer.response, answer.html, form, button);
    }, function () {
      failed(form, button, OFFLINE.replace("%s", button.textContent.trim()));
    });
  });
})();
