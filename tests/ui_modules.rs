//! The page's modules: index.html preloads exactly what the start needs — the modules main.js
//! imports and those of the first screen (the default area's), which main.js loads on demand like
//! every screen — so WebKit fetches them at once instead of one import level after another, and
//! nothing else is fetched before it is used.

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

/// `DEFAULT_AREA` in areas.js.
fn default_area(ui: &Path) -> String {
    let areas = std::fs::read_to_string(ui.join("areas.js")).unwrap();
    let line = areas.lines().find(|l| l.starts_with("export const DEFAULT_AREA")).expect("DEFAULT_AREA in areas.js");
    line.split('\'').nth(1).expect("DEFAULT_AREA = '…'").to_string()
}

#[test]
fn index_html_preloads_the_modules_the_start_needs_and_no_other() {
    let ui = Path::new(UI);
    let first_screen = ui.join("screens").join(format!("{}.js", default_area(ui)));
    assert!(first_screen.exists(), "{}", first_screen.display());
    let mut reached = BTreeSet::from([first_screen.clone()]);
    let mut todo = vec![ui.join("main.js"), first_screen];
    while let Some(module) = todo.pop() {
        for next in imports(&module) {
            if reached.insert(next.clone()) {
                todo.push(next);
            }
        }
    }
    let reached: BTreeSet<String> =
        reached.iter().map(|p| p.strip_prefix(ui).unwrap().to_string_lossy().replace('\\', "/")).collect();
    assert!(reached.len() > 10, "the import walk found too few modules: {reached:?}");

    let html = std::fs::read_to_string(ui.join("index.html")).unwrap();
    let preloaded: BTreeSet<String> = html
        .split("<link rel=\"modulepreload\" href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    let missing: Vec<_> = reached.difference(&preloaded).collect();
    let unused: Vec<_> = preloaded.difference(&reached).collect();
    assert!(missing.is_empty(), "add to index.html: <link rel=\"modulepreload\" href=\"…\"> for {missing:?}");
    assert!(unused.is_empty(), "index.html preloads modules the start does not need: {unused:?}");
}
