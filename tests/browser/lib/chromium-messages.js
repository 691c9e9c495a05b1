'use strict';
// The console lines Chromium prints when it blocks a fetch() for CORS reasons, built from the
// scenario (URL, page origin, what the server got wrong). Texts follow Chromium's
// cors_error_string.cc as printed by Chromium 156; the suite compares them with what the
// browser actually prints, so a change in Chromium shows up as a failing check.

/** `Access to fetch at '<url>' [(redirected from '<first>') ]from origin '<origin>' has been blocked by CORS policy: <reason>` */
function blockedMessage({ url, origin, reason, redirectedFrom = null }) {
  const redirect = redirectedFrom ? `(redirected from '${redirectedFrom}') ` : '';
  return `Access to fetch at '${url}' ${redirect}from origin '${origin}' has been blocked by CORS policy: ${reason}`;
}

const PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: ";
// Chromium appends this to the reasons about a present but unacceptable Allow-Origin value.
const VALID_VALUE_HINT = ' Have the server send the header with a valid value.';

/** Reasons, by failure. Functions of the offending value where Chromium quotes it. */
const reasons = {
  missingAllowOrigin: () => "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
  wildcardWithCredentials: () =>
    "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
  multipleAllowOrigin: (value) =>
    `The 'Access-Control-Allow-Origin' header contains multiple values '${value}', but only one is allowed.${VALID_VALUE_HINT}`,
  invalidAllowOrigin: (value) => `The 'Access-Control-Allow-Origin' header contains the invalid value '${value}'.${VALID_VALUE_HINT}`,
  allowOriginMismatch: (value) =>
    `The 'Access-Control-Allow-Origin' header has a value '${value}' that is not equal to the supplied origin.${VALID_VALUE_HINT}`,
  invalidAllowCredentials: (value) =>
    `The value of the 'Access-Control-Allow-Credentials' header in the response is '${value}' which must be 'true' when the request's credentials mode is 'include'.`,
  preflightNotOk: () => 'It does not have HTTP ok status.',
  preflightRedirect: () => 'Redirect is not allowed for a preflight request.',
  methodNotAllowed: (method) => `Method ${method} is not allowed by Access-Control-Allow-Methods in preflight response.`,
  headerNotAllowed: (name) =>
    `Request header field ${name} is not allowed by Access-Control-Allow-Headers in preflight response.`,
  unparsableAllowMethods: () => 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.',
  unparsableAllowHeaders: () => 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.',
  // Chromium 156 prints the location as '' whatever the Location header said.
  redirectWithCredentials: (location) =>
    `Redirect location '${location}' contains a username and password, which is disallowed for cross-origin requests.`,
};

/** The same reason, as reported for a preflight response (Chromium prefixes the origin/status/redirect ones). */
function inPreflight(reason) {
  return `${PREFLIGHT_PREFIX}${reason}`;
}

module.exports = { blockedMessage, reasons, inPreflight };
