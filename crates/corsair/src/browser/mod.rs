//! A model of the browser's side of CORS (the Fetch standard as Chromium applies it), usable
//! without a network.
