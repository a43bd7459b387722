// The account step's proof-of-work (onboarding/access/challenge.py), solved unseen in a worker while the person
// types. Pressing Next before it is done waits for it, saying so politely to screen readers and on screen;
// a page that was refused only for it sends the form again by itself. Nothing here asks the person anything.
(function () {
  "use strict";
  var box = document.querySelector("[data-challenge]");
  if (!box) {
    return;
  }
  var form = box.closest("form");
  var solution = box.querySelector("input[type='hidden']");
  var status = box.querySelector("[data-challenge-status]");
  var refusal = box.querySelector("[data-challenge-refusal]");
  var challenge = {
    algorithm: box.dataset.algorithm,
    challenge: box.dataset.challengeHash,
    salt: box.dataset.salt,
    signature: box.dataset.signature,
    maxNumber: parseInt(box.dataset.maxNumber, 10),
  };
  var state = "solving"; // then "solved" or "failed"
  var waiting = null; // the button whose press waits for the solution (null: the form's own submit)
  var isWaiting = false;

  function say(text) {
    status.textContent = text;
  }

  function send() {
    isWaiting = false;
    delete form.dataset.submitted;
    if (form.requestSubmit) {
      form.requestSubmit(waiting || undefined);
    } else {
      form.submit();
    }
  }

  function done(number) {
    if (number === null || number === undefined) {
      state = "failed";
      if (isWaiting) {
        say(box.dataset.failed);
      }
      return;
    }
    solution.value = btoa(
      JSON.stringify({
        algorithm: challenge.algorithm,
        challenge: challenge.challenge,
        number: number,
        salt: challenge.salt,
        signature: challenge.signature,
      })
    );
    state = "solved";
    if (isWaiting) {
      say(box.dataset.done);
      send();
    }
  }

  // Registered before site.js's handlers (which run at DOMContentLoaded), so a held press is not marked sent.
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    // Back, the language switch and Start over keep answers without going on: they need no check.
    if (state !== "solving" || (button && button.name)) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    waiting = button || null;
    isWaiting = true;
    say(box.dataset.checking);
  });

  if (!window.Worker || !window.crypto || !window.crypto.subtle) {
    state = "failed"; // the server says why when the form comes without a solution
    return;
  }
  var worker = new Worker(box.dataset.worker);
  worker.onmessage = function (event) {
    worker.terminate();
    done(event.data.number);
  };
  worker.onerror = function () {
    done(null);
  };
  worker.postMessage(challenge);
  if (box.hasAttribute("data-resubmit")) {
    // Refused only because the check had not been done: do it and go on, as the person asked.
    if (refusal) {
      refusal.hidden = true;
    }
    isWaiting = true;
    say(box.dataset.checking);
  }
})();
