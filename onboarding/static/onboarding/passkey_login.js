/* "Log in with a passkey" on the login page, and the browser's passkey autofill in the username field
   (conditional mediation, where the browser has it). Words come from the page (data-message-*). */
(function () {
  "use strict";
  var passkeys = window.OnboardingPasskeys;
  var box = document.querySelector("[data-passkey-login]");
  if (!box) return;
  var button = box.querySelector("[data-passkey-button]");
  var status = box.querySelector("[data-passkey-status]");
  var resend = box.querySelector("[data-passkey-resend]");
  var form = document.querySelector("form[action]") || document;
  var autofill = null; // the AbortController of the autofill request under way

  function say(text, problem) {
    status.textContent = text || "";
    status.classList.toggle("passkey-problem", !!problem);
  }

  if (!passkeys || !passkeys.supported()) {
    say(box.dataset.messageUnsupported, false);
    return;
  }
  box.querySelector("[data-passkey-unsupported]").hidden = true;
  button.hidden = false;

  function options() {
    return passkeys.post(box.dataset.optionsUrl, {}, form).then(function (reply) {
      if (!reply.ok) throw { message: reply.status === 429 ? box.dataset.messageBusy : null };
      return reply.data;
    });
  }

  function finish(credential) {
    return passkeys.post(box.dataset.loginUrl, { response: credential, next: box.dataset.next || "" }, form).then(
      function (reply) {
        if (reply.ok && reply.data.redirect) {
          window.location.assign(reply.data.redirect);
          return;
        }
        if (reply.status === 429) throw { message: box.dataset.messageBusy };
        if (reply.data && reply.data.resend) offerResend(reply.data.resend);
        throw { message: reply.data && reply.data.error };
      }
    );
  }

  /* "Send it again" for an address to confirm: the same form as under a failed password login. */
  function offerResend(offer) {
    if (!resend.firstChild) {
      var sendForm = document.createElement("form");
      sendForm.method = "post";
      sendForm.action = offer.url;
      sendForm.className = "d-inline";
      [["csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value], ["next", offer.next]].forEach(
        function (pair) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = pair[0];
          input.value = pair[1];
          sendForm.appendChild(input);
        }
      );
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "btn btn-outline-primary";
      button.textContent = offer.label;
      sendForm.appendChild(button);
      resend.appendChild(sendForm);
    }
    resend.hidden = false;
  }

  function failed(error, quiet) {
    if (quiet && error && error.name === "AbortError") return; // the button took over from the autofill
    var text = error && error.message && !error.name ? error.message : null;
    var kind = passkeys.problem(error);
    say(text || box.dataset["message" + kind.charAt(0).toUpperCase() + kind.slice(1)] || box.dataset.messageOther, true);
  }

  var autofillSettled = Promise.resolve(); // the browser takes one request at a time: the button waits for it

  function startAutofill() {
    autofillSettled = passkeys.conditionalSupported().then(function (available) {
      if (!available || !window.AbortController) return;
      autofill = new AbortController();
      var signal = autofill.signal;
      return options()
        .then(function (json) {
          if (signal.aborted) return null;
          return passkeys.get(json, { mediation: "conditional", signal: signal }).then(finish);
        })
        .catch(function (error) {
          if (!signal.aborted) failed(error, true);
        });
    });
  }

  button.addEventListener("click", function () {
    if (autofill) autofill.abort();
    autofill = null;
    button.disabled = true;
    resend.hidden = true;
    say(box.dataset.messageWorking, false);
    autofillSettled
      .then(options)
      .then(function (json) {
        return passkeys.get(json);
      })
      .then(finish)
      .catch(function (error) {
        failed(error, false);
      })
      .then(function () {
        button.disabled = false;
      });
  });

  startAutofill();
})();
