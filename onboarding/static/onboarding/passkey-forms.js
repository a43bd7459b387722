/* The passkey forms of the account pages (add a passkey, confirm it's you, add one from a reset link): a form
   with data-passkey="create" or "get" runs that ceremony when sent. It posts its fields with step=begin to its
   own address, hands the options to the browser (passkeys.js), posts the answer with step=finish, and follows
   the {"redirect"} it gets back; an {"error"}, a cancelled ceremony or a browser without passkeys is said in
   the form's message, in the page's language (the form's data- attributes). No inline script. */
(function () {
  "use strict";

  var passkeys = window.OnboardingPasskeys;

  function fieldsOf(form, step, extra) {
    var fields = { step: step };
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") fields[name] = value;
    });
    return Object.assign(fields, extra || {});
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var message = form.querySelector("[data-passkey-message]");
    var button = form.querySelector("button[type=submit]");
    var url = form.getAttribute("action") || window.location.href;
    var busy = false;

    function say(text) {
      message.textContent = text || "";
      message.hidden = !text;
    }

    form.hidden = false;
    if (!passkeys || !passkeys.supported()) {
      say(form.dataset.unsupported);
      button.hidden = true;
      return;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      button.disabled = true;
      say("");
      passkeys
        .post(url, fieldsOf(form, "begin"), form)
        .then(function (answer) {
          if (!answer.ok || !answer.data.options) throw { answer: answer.data };
          var options = answer.data.options;
          return form.dataset.passkey === "create" ? passkeys.create(options) : passkeys.get(options);
        })
        .then(function (credential) {
          return passkeys.post(url, fieldsOf(form, "finish", { credential: credential }), form);
        })
        .then(function (answer) {
          if (answer.data && answer.data.redirect) {
            window.location.assign(answer.data.redirect);
            return;
          }
          throw { answer: answer.data };
        })
        .catch(function (error) {
          busy = false;
          button.disabled = false;
          if (error && error.answer) {
            if (error.answer.redirect) {
              window.location.assign(error.answer.redirect);
              return;
            }
            say(error.answer.error || form.dataset.other);
            return;
          }
          say(form.dataset[passkeys.problem(error)] || form.dataset.other);
        });
    });
  });
})();
