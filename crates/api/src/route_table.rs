//! Which methods each documented path accepts, derived from the OpenAPI document.
//!
//! The fallback handler uses it to tell "no such route" (404) from "route exists, wrong
//! method" (405 with `Allow`). Being derived from the spec, it cannot drift from it.

use utoipa::openapi::OpenApi;

#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<&'static str>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

impl RouteTable {
    pub fn from_openapi(spec: &OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some() || item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (parse(path), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods `path` accepts, or `None` when no documented route matches it.
    pub fn allowed_methods(&self, path: &str) -> Option<Vec<&'static str>> {
        let segments: Vec<&str> = split(path).collect();
        let mut allowed: Vec<&'static str> = Vec::new();
        for (pattern, methods) in &self.routes {
            if matches(pattern, &segments) {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method);
                    }
                }
            }
        }
        (!allowed.is_empty()).then_some(allowed)
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

fn parse(path: &str) -> Vec<Segment> {
    split(path)
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                Segment::Parameter
            } else {
                Segment::Literal(segment.to_owned())
            }
        })
        .collect()
}

fn matches(pattern: &[Segment], segments: &[&str]) -> bool {
    pattern.len() == segments.len()
        && pattern
            .iter()
            .zip(segments)
            .all(|(expected, actual)| match expected {
                Segment::Parameter => true,
                Segment::Literal(literal) => literal == actual,
            })
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::OpenApiBuilder;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};

    fn table() -> RouteTable {
        let paths = PathsBuilder::new()
            .path(
                "/health",
                PathItem::new(HttpMethod::Get, OperationBuilder::new().build()),
            )
            .path(
                "/api/v1/vendors/{id}",
                PathItem::new(HttpMethod::Patch, OperationBuilder::new().build()),
            )
            .build();
        RouteTable::from_openapi(&OpenApiBuilder::new().paths(paths).build())
    }

    #[test]
    fn known_paths_report_their_methods() {
        assert_eq!(
            table().allowed_methods("/health"),
            Some(vec!["GET", "HEAD"])
        );
        assert_eq!(
            table().allowed_methods("/api/v1/vendors/42/"),
            Some(vec!["PATCH"])
        );
    }

    #[test]
    fn unknown_paths_match_nothing() {
        assert_eq!(table().allowed_methods("/api/v1/vendors"), None);
        assert_eq!(table().allowed_methods("/nope"), None);
    }
}
