// Finds the number an ALTCHA (v1) challenge asks for: n from 0 to maxNumber with SHA-256(salt + n) equal to the
// challenge, with the browser's own crypto.subtle. Started by challenge.js; posts back {number} (null: none found).
"use strict";

var BATCH = 1000; // digests in flight at once: crypto.subtle is asynchronous, one at a time would be slow

function bytesOf(hex) {
  var bytes = new Uint8Array(hex.length / 2);
  for (var i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  }
  return bytes;
}

function same(buffer, target) {
  var bytes = new Uint8Array(buffer);
  for (var i = 0; i < target.length; i++) {
    if (bytes[i] !== target[i]) {
      return false;
    }
  }
  return bytes.length === target.length;
}

async function solve(challenge) {
  var encoder = new TextEncoder();
  var target = bytesOf(challenge.challenge);
  for (var start = 0; start <= challenge.maxNumber; start += BATCH) {
    var end = Math.min(start + BATCH, challenge.maxNumber + 1);
    var digests = [];
    for (var n = start; n < end; n++) {
      digests.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + n)));
    }
    var results = await Promise.all(digests);
    for (var i = 0; i < results.length; i++) {
      if (same(results[i], target)) {
        return start + i;
      }
    }
  }
  return null;
}

self.onmessage = function (event) {
  solve(event.data).then(
    function (number) {
      self.postMessage({ number: number });
    },
    function () {
      self.postMessage({ number: null });
    }
  );
};
