//! The house (issue 19): imports between the files of `api/src` run one way. A file's imports
//! are its `use` trees and inline `crate::…` paths (test modules excepted); no two files may
//! import each other round about, and few arrows may run up the layers below. Scope checks
//! live in each feature's `access.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers from the bottom: a file may import its own layer and those below. A file takes the
/// layer of the longest path prefix listed (`auth/caller` is above `auth`); unlisted files are
/// features.
const LAYERS: [&[&str]; 7] = [
    // Foundations: text, time, configuration, the schema.
    &["text", "time", "schema", "config", "memory", "telemetry", "person", "openapi/version"],
    // Storage and the pieces of HTTP and auth that need no application state.
    &["db", "metrics", "http", "auth", "config/auth"],
    // The application state every handler receives.
    &["state"],
    // Middleware and extractors that read the state; the audit trail and settings.
    &[
        "http/context",
        "http/fallback",
        "http/rate_limit",
        "http/idempotency",
        "http/forget_principals",
        "auth/caller",
        "audit",
        "settings",
    ],
    // Features: one folder per resource.
    // (`reports/access` is the reports' access policy, needed by webhooks: it reads no figure.)
    &[
        "org_units",
        "members",
        "auth/handlers",
        "auth/login",
        "auth/sessions",
        "audit/handlers",
        "settings/handlers",
        "reports/access",
    ],
    // Views over several features: reports (member-summary is one), imports, batch, seed, ops.
    &["reports", "org_units/summary", "imports", "batch", "seed", "ops", "person"],
    // Assembly: routes, the OpenAPI document, startup, the command line.
    // (`person/properties` holds property tests only.)
    &["routes", "openapi", "startup", "cli", "lib", "main", "person/properties"],
];

/// At most this many arrows may run upward: none now. Raise it only with the reason written here.
const MOST_UPWARD: usize = 0;

type Module = Vec<String>;

struct Crate {
    files: BTreeMap<Module, PathBuf>,
}

impl Crate {
    fn read(root: &Path) -> Crate {
        let mut files = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let relative = path.strip_prefix(root).unwrap().with_extension("");
                let mut module: Module = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                    module.pop();
                }
                files.insert(module, path);
            }
        }
        Crate { files }
    }

    /// The file a path names: its longest prefix that is a file of the crate.
    fn resolve(&self, path: &[String]) -> Option<Module> {
        (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|m| self.files.contains_key(m))
    }

    fn imports(&self, module: &Module) -> BTreeSet<Module> {
        let text = std::fs::read_to_string(&self.files[module]).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        let text: String = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
        let mut paths: Vec<Vec<String>> = Vec::new();
        // `use` statements: from a line starting with `use` (or `pub use`, `pub(crate) use`) to `;`.
        let mut statement: Option<String> = None;
        for line in text.lines() {
            let trimmed = line.trim_start();
            let start = trimmed.strip_prefix("pub ").or_else(|| trimmed.strip_prefix("pub(crate) ")).unwrap_or(trimmed);
            if statement.is_none()
                && let Some(rest) = start.strip_prefix("use ")
            {
                statement = Some(rest.to_owned());
            } else if let Some(s) = statement.as_mut() {
                s.push_str(trimmed);
            }
            if let Some(s) = statement.take_if(|s| s.contains(';')) {
                paths.extend(expand(s.split(';').next().unwrap_or("")));
            }
        }
        let mut rest = text.as_str();
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at..];
            let end = tail.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(tail.len());
            paths.push(tail[..end].split("::").filter(|p| !p.is_empty()).map(str::to_owned).collect());
            rest = &tail[end..];
        }
        let mut out = BTreeSet::new();
        for path in paths {
            let absolute: Vec<String> = match path.first().map(String::as_str) {
                Some("crate") => path[1..].to_vec(),
                Some("self") => module.iter().chain(&path[1..]).cloned().collect(),
                Some("super") => {
                    let mut base = module.clone();
                    let mut parts = path.as_slice();
                    while parts.first().is_some_and(|p| p == "super") {
                        base.pop();
                        parts = &parts[1..];
                    }
                    base.into_iter().chain(parts.iter().cloned()).collect()
                }
                _ => continue,
            };
            if let Some(target) = self.resolve(&absolute)
                && target != *module
                // A folder's mod.rs re-exporting its own files is no arrow up.
                && !(target.len() < module.len() && module.starts_with(&target))
            {
                out.insert(target);
            }
        }
        out
    }
}

/// `a::{b, c::{d, e}}` → `[a, b]`, `[a, c, d]`, `[a, c, e]`.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let parts = |s: &str| -> Vec<String> {
        s.split(" as ")
            .next()
            .unwrap_or("")
            .split("::")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let Some(open) = tree.find('{') else { return vec![parts(tree)] };
    let head = parts(&tree[..open]);
    let close = tree.rfind('}').filter(|c| *c > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let (mut items, mut depth, mut current) = (Vec::new(), 0, String::new());
    for c in inner.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    items.push(current);
    let mut out: Vec<Vec<String>> = items
        .iter()
        .filter(|i| !i.trim().is_empty())
        .flat_map(|i| expand(i).into_iter().map(|rest| head.iter().cloned().chain(rest).collect()))
        .collect();
    if out.is_empty() {
        out.push(head);
    }
    out
}

/// Strongly connected groups of more than one file (Tarjan).
fn circles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        groups: Vec<Vec<Module>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a Module) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        for t in &w.graph[v] {
            if !w.index.contains_key(t) {
                visit(w, t);
                let low = w.low[v].min(w.low[t]);
                w.low.insert(v, low);
            } else if w.stack.contains(&t) {
                let low = w.low[v].min(w.index[t]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut group = Vec::new();
            while let Some(t) = w.stack.pop() {
                group.push(t.clone());
                if t == v {
                    break;
                }
            }
            if group.len() > 1 {
                w.groups.push(group);
            }
        }
    }
    let mut walk = Walk { graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), groups: Vec::new() };
    for v in graph.keys() {
        if !walk.index.contains_key(v) {
            visit(&mut walk, v);
        }
    }
    walk.groups
}

fn layer(module: &Module) -> usize {
    let path = if module.is_empty() { "lib".to_owned() } else { module.join("/") };
    let mut best: Option<(usize, usize)> = None;
    for (rank, prefixes) in LAYERS.iter().enumerate() {
        for prefix in prefixes.iter() {
            let matches = path == *prefix || path.starts_with(&format!("{prefix}/"));
            if matches && best.is_none_or(|(len, _)| prefix.len() > len) {
                best = Some((prefix.len(), rank));
            }
        }
    }
    best.map_or(4, |(_, rank)| rank)
}

#[test]
fn imports_between_files_run_one_way_down_the_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/src");
    let krate = Crate::read(&root);
    let graph: BTreeMap<Module, BTreeSet<Module>> = krate.files.keys().map(|m| (m.clone(), krate.imports(m))).collect();
    let name = |m: &Module| if m.is_empty() { "lib".to_owned() } else { m.join("/") };
    let found: Vec<String> =
        circles(&graph).iter().map(|g| g.iter().map(name).collect::<Vec<_>>().join(" ↔ ")).collect();
    assert!(found.is_empty(), "import circles between files of api/src:\n{}", found.join("\n"));
    let upward: Vec<String> = graph
        .iter()
        .flat_map(|(from, to)| to.iter().filter(|t| layer(t) > layer(from)).map(move |t| (from, t)))
        .map(|(from, to)| format!("{} → {}", name(from), name(to)))
        .collect();
    let arrows: usize = graph.values().map(BTreeSet::len).sum();
    assert!(
        // (`le`: with a bound of 0 the plain comparison reads as always-false to clippy.)
        upward.len().le(&MOST_UPWARD),
        "{} of {arrows} arrows run up the layers (at most {MOST_UPWARD}):\n{}",
        upward.len(),
        upward.join("\n")
    );
}

/// Who may reach what is read in one place per feature: the scope checks (`Caller::can`, and
/// `Principal::can` beneath it) appear only in `access.rs` files and in `auth/` itself.
#[test]
fn scope_checks_live_in_the_access_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/src");
    let krate = Crate::read(&root);
    let outside: Vec<String> = krate
        .files
        .iter()
        .filter(|(module, _)| {
            module.first().is_none_or(|top| top != "auth") && module.last().is_none_or(|f| f != "access")
        })
        .flat_map(|(module, path)| {
            let text = std::fs::read_to_string(path).unwrap();
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains("caller.can(") || line.contains("principal.can("))
                .map(|(n, line)| format!("{}.rs:{}: {}", module.join("/"), n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(outside.is_empty(), "scope checks outside an access.rs:\n{}", outside.join("\n"));
    assert!(krate.files.keys().filter(|m| m.last().is_some_and(|f| f == "access")).count() >= 12);
}

#[test]
fn a_circle_of_three_files_is_found_and_a_chain_is_not() {
    let m = |name: &str| vec![name.to_owned()];
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (from, to) in edges {
            g.entry(m(from)).or_default().insert(m(to));
            g.entry(m(to)).or_default();
        }
        g
    };
    let found = circles(&graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].iter().cloned().collect::<BTreeSet<_>>(), BTreeSet::from([m("a"), m("b"), m("c")]));
    assert!(circles(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
    let paths: Vec<String> =
        expand("crate::http::{ApiError, pagination::{Page, PageRequest as P}}").iter().map(|p| p.join("::")).collect();
    assert_eq!(
        paths,
        ["crate::http::ApiError", "crate::http::pagination::Page", "crate::http::pagination::PageRequest"]
    );
}
