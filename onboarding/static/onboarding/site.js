// Progressive enhancements for the signup pages; everything works without them.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen readers announce the problems first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
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
});
