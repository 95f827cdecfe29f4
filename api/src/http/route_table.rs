//! The table of routes (from the OpenAPI document, so it cannot drift): which methods a path
//! accepts.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use utoipa::openapi::OpenApi;

/// Each route's pattern and methods.
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                let candidates = [
                    (Method::GET, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ];
                for (method, present) in candidates {
                    if present {
                        methods.push(method);
                    }
                }
                // Every GET answers HEAD too (http/conditional.rs).
                if item.get.is_some() {
                    methods.insert(1, Method::HEAD);
                }
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// Methods of a route without parameters that is exactly `path` (`/members/export` is its
    /// own resource even though `/members/{id}` would also match it).
    pub fn allowed_exactly(&self, path: &str) -> Option<&[Method]> {
        self.routes
            .iter()
            .find(|(def, _)| def.pattern().is_some_and(|p| !p.contains('{')) && def.is_match(path))
            .map(|(_, methods)| methods.as_slice())
    }

    /// Methods the path accepts, if any route matches it.
    pub fn allowed(&self, path: &str) -> Option<&[Method]> {
        self.routes.iter().find(|(def, _)| def.is_match(path)).map(|(_, methods)| methods.as_slice())
    }
}
