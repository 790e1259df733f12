//! The page's modules: index.html preloads exactly the modules main.js reaches, so WebKit fetches
//! them all at once instead of one import level after another (a slower start), and no module is
//! preloaded that nothing uses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const UI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ui");

/// The relative modules a module imports statically (`import … from './x.js'`, over one line or
/// several).
fn imports(module: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(module).unwrap_or_else(|e| panic!("{}: {e}", module.display()));
    let folder = module.parent().unwrap();
    format!("\n{text}")
        .split("\nimport ")
        .skip(1)
        .filter_map(|statement| {
            let statement = statement.split(';').next()?;
            let quote = statement.rfind(['\'', '"'])?;
            let start = statement[..quote].rfind(['\'', '"'])? + 1;
            let target = &statement[start..quote];
            target.starts_with('.').then(|| normalise(&folder.join(target)))
        })
        .collect()
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[test]
fn index_html_preloads_every_module_main_js_reaches_and_no_other() {
    let ui = Path::new(UI);
    let mut reached = BTreeSet::new();
    let mut todo = vec![ui.join("main.js")];
    while let Some(module) = todo.pop() {
        for next in imports(&module) {
            if reached.insert(next.clone()) {
                todo.push(next);
            }
        }
    }
    let reached: BTreeSet<String> =
        reached.iter().map(|p| p.strip_prefix(ui).unwrap().to_string_lossy().replace('\\', "/")).collect();
    assert!(reached.len() > 20, "the import walk found too few modules: {reached:?}");

    let html = std::fs::read_to_string(ui.join("index.html")).unwrap();
    let preloaded: BTreeSet<String> = html
        .split("<link rel=\"modulepreload\" href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    let missing: Vec<_> = reached.difference(&preloaded).collect();
    let unused: Vec<_> = preloaded.difference(&reached).collect();
    assert!(missing.is_empty(), "add to index.html: <link rel=\"modulepreload\" href=\"…\"> for {missing:?}");
    assert!(unused.is_empty(), "index.html preloads modules main.js does not reach: {unused:?}");
}
