//! "Did you mean …?": the one rule by which corsair and its tools guess which known name a
//! misspelt one stands for (a setting, a `[server]` key, a Django setting, an origins
//! source's key).

/// The name among `known` closest to `unknown` by edit distance (Levenshtein), when it is
/// close enough to be a typo: at most a third of the known name's length apart, or 2 for a
/// short name. The first of equally close names wins.
///
/// ```
/// use corsair::closest_name;
///
/// let keys = ["listen", "upstream", "workers"];
/// assert_eq!(closest_name("lisen", keys), Some("listen"));
/// assert_eq!(closest_name("upstreams", keys), Some("upstream"));
/// assert_eq!(closest_name("timeout", keys), None);
/// ```
pub fn closest_name<'a>(
    unknown: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    known
        .into_iter()
        .map(|name| (strsim::levenshtein(unknown, name), name))
        .filter(|(distance, name)| *distance <= (name.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}
