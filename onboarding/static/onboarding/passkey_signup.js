/* The signup's account step with a passkey: "Create a passkey" asks our server for the ceremony's options,
   runs it, and puts the browser's answer in the form's hidden field, sent with "Next" (the server checks it).
   Words come from the page (data-message-*), in its language. Without WebAuthn, the offer is hidden and the
   page's own note says to use a password. */
(function () {
  "use strict";
  var passkeys = window.OnboardingPasskeys;
  var supported = !!(passkeys && passkeys.supported());

  document.querySelectorAll("[data-passkey-offer]").forEach(function (offer) {
    if (!supported) {
      (offer.closest("[data-passkey-switch]") || offer).hidden = true; // the password is the way here
    }
  });

  document.querySelectorAll("[data-passkey-create]").forEach(function (box) {
    var button = box.querySelector("[data-passkey-button]");
    var status = box.querySelector("[data-passkey-status]");
    var answer = box.querySelector("[data-passkey-answer]");
    var note = box.querySelector("[data-passkey-unsupported]");
    var form = box.closest("form");

    /* Once a passkey is made, the step's old "create a passkey first" error no longer holds: take it off the
       field and the error summary (the summary goes if nothing else is in it). */
    function clearOldError() {
      var field = document.getElementById(button.id + "_error");
      if (field) field.hidden = true;
      button.removeAttribute("aria-invalid");
      var summary = document.getElementById("error-summary");
      if (!summary) return;
      summary.querySelectorAll('a[href="#' + button.id + '"]').forEach(function (link) {
        link.closest("li").hidden = true;
      });
      if (!summary.querySelector("li:not([hidden])")) summary.hidden = true;
    }

    function say(text, problem) {
      status.textContent = text;
      status.classList.toggle("passkey-problem", !!problem);
      status.classList.toggle("passkey-ready", !problem && !!answer.value);
    }

    if (!supported) {
      say(box.dataset.messageUnsupported, true);
      return;
    }
    note.hidden = true;
    button.hidden = false;

    button.addEventListener("click", function () {
      var username = form.querySelector("[name='account-username']");
      button.disabled = true;
      answer.value = "";
      say(box.dataset.messageWorking, false);
      passkeys
        .post(box.dataset.optionsUrl, { username: username ? username.value : "" }, form)
        .then(function (reply) {
          if (!reply.ok) {
            throw { message: reply.data && reply.data.error };
          }
          return passkeys.create(reply.data);
        })
        .then(function (credential) {
          answer.value = JSON.stringify(credential);
          clearOldError();
          say(box.dataset.messageMade, false);
        })
        .catch(function (error) {
          var text = error && error.message && !error.name ? error.message : null;
          var kind = passkeys.problem(error);
          say(text || box.dataset["message" + kind.charAt(0).toUpperCase() + kind.slice(1)], true);
        })
        .then(function () {
          button.disabled = false;
        });
    });
  });
})();
