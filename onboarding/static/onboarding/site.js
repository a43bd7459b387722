// Progressive enhancements for the signup pages; everything works without them.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen readers announce the problems first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  // The browser's time zone, so times are shown in the person's zone (the server keeps only a zone it knows).
  document.querySelectorAll("input[data-detect-time-zone]").forEach(function (input) {
    try {
      input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      input.value = "";
    }
  });
  // A double click sends a form once; the server also makes "Create account" run once.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted) {
        event.preventDefault();
      }
      form.dataset.submitted = "1";
    });
  });
  // A page restored by the browser's Back button must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.submitted;
    });
  });
  // Error summary links: focus the field, not just scroll to it, and show its label
  // too (a plain jump to the input would hide the label above the top of the screen).
  document.querySelectorAll("#error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        var label = document.querySelector("label[for='" + field.id + "']");
        (label || field).scrollIntoView();
        field.focus({ preventScroll: true });
      }
    });
  });
  // "Show password": a button after each password field that asks for one. Its words come from
  // the page (data-show-label, data-hide-label), so they are in the page's language; its name says
  // what a press will do. The field is hidden again before the form is sent.
  document.querySelectorAll("input[data-show-label]").forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm px-0 show-password";
    button.setAttribute("aria-controls", input.id);
    button.textContent = input.dataset.showLabel;
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.textContent = show ? input.dataset.hideLabel : input.dataset.showLabel;
    });
    if (input.form) {
      input.form.addEventListener("submit", function () {
        input.type = "password";
        button.textContent = input.dataset.showLabel;
      });
    }
    input.insertAdjacentElement("afterend", button);
  });
  // The language switch reloads the page. On a wizard step it sends the step's form, so the server keeps
  // the answers; elsewhere (log in, a reset, the account's forms) what was typed is kept in this tab for
  // that one reload: text, email, phone and lists only, never a password (shown or not) or a hidden field.
  var KEPT = "onboarding.typedBeforeLanguageSwitch";
  function keptFields() {
    var fields = document.querySelectorAll("main form input[name]:not([data-show-label]):not([autocomplete$='password']), main form textarea[name], main form select[name]");
    return Array.prototype.filter.call(fields, function (field) {
      return /^(text|email|tel|textarea|select-one)$/.test(field.type) && !field.closest(".honeypot");
    });
  }
  function key(field) {
    return field.form.id + " " + field.name;
  }
  document.querySelectorAll("button[form='language-switch']").forEach(function (button) {
    button.addEventListener("click", function () {
      var typed = {};
      keptFields().forEach(function (field) {
        typed[key(field)] = field.value;
      });
      try {
        sessionStorage.setItem(KEPT, JSON.stringify({ path: location.pathname, typed: typed }));
      } catch (error) {} // storage turned off: the switch still works, the page comes back as served
    });
  });
  var saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEPT) || "null");
    sessionStorage.removeItem(KEPT);
  } catch (error) {}
  if (saved && saved.path === location.pathname) {
    keptFields().forEach(function (field) {
      if (Object.prototype.hasOwnProperty.call(saved.typed, key(field))) {
        field.value = saved.typed[key(field)];
      }
    });
  }
});
