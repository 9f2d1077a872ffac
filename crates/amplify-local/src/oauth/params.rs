//! Lenient `application/x-www-form-urlencoded` parameters (query strings and
//! form bodies). Malformed input never fails: it just yields fewer values.

/// Parsed parameters; for repeated names the first value wins.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a query string or form body.
    pub(crate) fn parse(input: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(input)
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    /// Parses an optional raw query.
    pub(crate) fn query(raw: Option<&str>) -> Self {
        Self::parse(raw.unwrap_or_default().as_bytes())
    }

    /// The first value of a parameter.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a parameter, if present and non-empty.
    pub(crate) fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|value| !value.is_empty())
    }
}

/// Appends query parameters to a URI, with `&` when it already has a query.
pub(crate) fn append_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    let query = serializer.finish();
    if query.is_empty() {
        return uri.to_owned();
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{query}")
}

#[cfg(test)]
mod tests {
    use super::{Params, append_query};

    #[test]
    fn parses_leniently() {
        let params = Params::parse(b"a=1&a=2&b=x+y%20z&c&%ZZ=1");
        assert_eq!(params.get("a"), Some("1"));
        assert_eq!(params.get("b"), Some("x y z"));
        assert_eq!(params.get("c"), Some(""));
        assert_eq!(params.non_empty("c"), None);
    }

    #[test]
    fn appends_queries() {
        assert_eq!(
            append_query("http://a/cb", &[("code", "1"), ("state", "a b")]),
            "http://a/cb?code=1&state=a+b"
        );
        assert_eq!(
            append_query("http://a/cb?x=1", &[("code", "1")]),
            "http://a/cb?x=1&code=1"
        );
    }
}
