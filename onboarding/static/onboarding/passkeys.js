/* Passkeys in the browser: WebAuthn's two ceremonies with our server's JSON options, and the answer as
   JSON for our server (onboarding/passkeys/ceremony.py checks it). No words here: pages put their messages,
   in the page's language, in data- attributes. Served from our origin under the CSP; no inline script. */
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creationOptions(json) {
    if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      user: Object.assign({}, json.user, { id: toBytes(json.user.id) }),
      excludeCredentials: descriptors(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      allowCredentials: descriptors(json.allowCredentials),
    });
  }

  function answer(credential) {
    if (typeof credential.toJSON === "function") {
      try {
        return credential.toJSON();
      } catch (error) {
        /* fall through to the manual form */
      }
    }
    var response = credential.response;
    var json = { clientDataJSON: toText(response.clientDataJSON) };
    if (response.attestationObject) {
      json.attestationObject = toText(response.attestationObject);
      json.transports = typeof response.getTransports === "function" ? response.getTransports() : [];
    } else {
      json.authenticatorData = toText(response.authenticatorData);
      json.signature = toText(response.signature);
      json.userHandle = response.userHandle ? toText(response.userHandle) : null;
    }
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: json,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      authenticatorAttachment: credential.authenticatorAttachment || null,
    };
  }

  /* What went wrong, in one word a page can map to its message. */
  function problem(error) {
    if (!error) return "other";
    if (error.name === "NotAllowedError" || error.name === "AbortError") return "cancelled";
    if (error.name === "InvalidStateError") return "exists";
    if (error.name === "NotSupportedError" || error.name === "SecurityError") return "unsupported";
    return "other";
  }

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials && navigator.credentials.create);
  }

  function conditionalSupported() {
    if (!supported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") {
      return Promise.resolve(false);
    }
    return PublicKeyCredential.isConditionalMediationAvailable().catch(function () {
      return false;
    });
  }

  /* POST form-encoded fields to one of our URLs with the page's CSRF token; resolves to the JSON answer. */
  function post(url, fields, form) {
    var body = new URLSearchParams();
    var token = (form || document).querySelector("[name=csrfmiddlewaretoken]");
    if (token) body.append("csrfmiddlewaretoken", token.value);
    Object.keys(fields || {}).forEach(function (name) {
      var value = fields[name];
      body.append(name, typeof value === "string" ? value : JSON.stringify(value));
    });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  window.OnboardingPasskeys = {
    supported: supported,
    conditionalSupported: conditionalSupported,
    problem: problem,
    post: post,
    create: function (optionsJSON) {
      return navigator.credentials.create({ publicKey: creationOptions(optionsJSON) }).then(answer);
    },
    get: function (optionsJSON, extra) {
      var request = Object.assign({ publicKey: requestOptions(optionsJSON) }, extra || {});
      return navigator.credentials.get(request).then(answer);
    },
  };
})();
