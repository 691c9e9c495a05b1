//! The engine's layers hold: every module of `src` belongs to one layer of ARCHITECTURE.md's
//! table, imports only modules of its own layer or of the layers below it, and no import cycle
//! joins two modules (two files, or two entries of the table).
//!
//! The sources are read as text: every `use` declaration and every `crate::`, `super::`,
//! `self::` or child-module path in code (comments and string literals are skipped). A path is
//! followed through the re-exports it names (`crate::decision::Observer` is wherever
//! `decision.rs` imports `Observer` from), so an import counts against the file that
//! defines what it names. A name a file imports counts as that file's dependency only where the
//! file's own code uses it: a module file that only re-exports its folder's items depends on none of
//! them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The layers, bottom to top, and their modules (a file `x.rs` or a directory `x/`): the table
/// of ARCHITECTURE.md's engine section.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "primitives",
        &[
            "fetch/",
            "origin/",
            "path.rs",
            "head/",
            "hook.rs",
            "anchored.rs",
            "regex_audit.rs",
            "public_suffix/",
            "observation.rs",
        ],
    ),
    ("settings", &["config/"]),
    ("validation", &["validate/"]),
    (
        "compiled policy",
        &["compiled/", "matcher.rs", "origin_set/"],
    ),
    ("decision", &["decision/"]),
    ("headers", &["respond/"]),
    ("facade", &["policy/"]),
    ("adapters", &["tower.rs", "actix/"]),
];

/// A module's path from the crate root (`["decision", "decide"]`; `[]` is `lib.rs`).
type ModPath = Vec<String>;

/// One reference from a file to a module of the crate.
#[derive(Debug, Clone)]
struct Edge {
    from: ModPath,
    line: usize,
    to: ModPath,
    /// The path as written, for messages.
    written: String,
}

/// One name a `use` declaration binds.
#[derive(Debug, Clone)]
struct Binding {
    /// The bound name (`*` for a glob).
    name: String,
    /// The absolute path it names.
    target: ModPath,
    line: usize,
    /// Whether the declaration is in the file's own scope (not in an inline module).
    top_level: bool,
}

/// A source file, read.
struct SourceFile {
    module: ModPath,
    /// Relative to the crate (`src/decision/decide.rs`).
    display: String,
    bindings: Vec<Binding>,
    /// `crate::`, `super::`, `self::` and child-module paths in code, absolute, with their line.
    paths: Vec<(usize, ModPath, String)>,
    /// Every identifier of the code outside `use` declarations.
    used: BTreeSet<String>,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn module_of(relative: &Path) -> ModPath {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    match last.as_str() {
        "lib.rs" => {}
        file => parts.push(file.trim_end_matches(".rs").to_owned()),
    }
    parts
}

/// Where the opening quote of a raw string starting at `i` (`r"`, `r#"`, `br"`) is.
fn raw_string_quote(chars: &[char], i: usize) -> Option<usize> {
    let start = match (chars[i], chars.get(i + 1)) {
        ('r', _) => i + 1,
        ('b', Some('r')) => i + 2,
        _ => return None,
    };
    let hashes = chars[start..].iter().take_while(|&&h| h == '#').count();
    (chars.get(start + hashes) == Some(&'"')).then_some(start + hashes)
}

/// The source with comments and the contents of string and character literals replaced by
/// spaces (line breaks kept, so that lines still count).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if !prev_ident && raw_string_quote(&chars, i).is_some() {
            // A raw string: r"...", r#"..."#, br"...".
            let quote = raw_string_quote(&chars, i).unwrap();
            let hashes = quote - i - if c == 'b' { 2 } else { 1 };
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let close: Vec<char> = close.chars().collect();
            let body = quote + 1;
            out.extend(std::iter::repeat_n(' ', body - i));
            i = body;
            while i < chars.len() && !chars[i..].starts_with(&close) {
                out.push(blank(chars[i]));
                i += 1;
            }
            out.extend(std::iter::repeat_n(' ', close.len()));
            i += close.len();
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal (a lifetime has no closing quote).
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// The code's tokens, each with its line.
fn tokens(code: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let word = word.strip_prefix("r#").map(str::to_owned).unwrap_or(word);
            out.push((line, Token::Ident(word)));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push((line, Token::PathSep));
            i += 2;
        } else {
            out.push((line, Token::Punct(c)));
            i += 1;
        }
    }
    out
}

/// Reads a `use` tree from `tokens[at..]` (after `use`) into `(path, bound name, line)`
/// triples; returns where the declaration ends.
fn use_tree(
    tokens: &[(usize, Token)],
    mut at: usize,
    prefix: &[String],
    found: &mut Vec<(Vec<String>, String, usize)>,
) -> usize {
    let mut path = prefix.to_vec();
    loop {
        let Some((line, token)) = tokens.get(at) else {
            return at;
        };
        match token {
            Token::Ident(word) if word == "as" => {
                if let Some((_, Token::Ident(alias))) = tokens.get(at + 1) {
                    if let Some(last) = found.last_mut() {
                        last.1 = alias.clone();
                    }
                }
                at += 2;
            }
            Token::Ident(word) => {
                path.push(word.clone());
                at += 1;
                if tokens.get(at).map(|t| &t.1) != Some(&Token::PathSep) {
                    let name = if word == "self" {
                        path.pop();
                        path.last().cloned().unwrap_or_default()
                    } else {
                        word.clone()
                    };
                    found.push((path.clone(), name, *line));
                }
            }
            Token::PathSep => at += 1,
            Token::Punct('*') => {
                found.push((path.clone(), "*".to_owned(), *line));
                at += 1;
            }
            Token::Punct('{') => {
                at += 1;
                loop {
                    at = use_tree(tokens, at, &path, found);
                    match tokens.get(at).map(|t| &t.1) {
                        Some(Token::Punct(',')) => at += 1,
                        Some(Token::Punct('}')) => return at + 1,
                        _ => return at,
                    }
                }
            }
            Token::Punct(_) => return at,
        }
    }
}

/// Reads one source file: its `use` bindings, its paths into the crate and the names its code
/// uses. `modules` is every file module of the crate.
fn read_source(
    module: ModPath,
    display: String,
    source: &str,
    modules: &BTreeSet<ModPath>,
) -> SourceFile {
    let code = code_only(source);
    let tokens = tokens(&code);
    let mut file = SourceFile {
        module: module.clone(),
        display,
        bindings: Vec::new(),
        paths: Vec::new(),
        used: BTreeSet::new(),
    };
    // Inline modules (`mod tests { ... }`): their names and the brace depth they close at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut inline_children: BTreeSet<ModPath> = BTreeSet::new();
    let mut depth = 0usize;
    let mut at = 0;
    while at < tokens.len() {
        let current: ModPath = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect();
        let is_child = |name: &str| {
            let mut child = current.clone();
            child.push(name.to_owned());
            modules.contains(&child) || inline_children.contains(&child)
        };
        let absolute = |path: &[String]| -> Option<ModPath> {
            let first = path.first()?;
            match first.as_str() {
                "crate" => Some(path[1..].to_vec()),
                "self" => Some(current.iter().chain(&path[1..]).cloned().collect()),
                "super" => {
                    let supers = path.iter().take_while(|s| *s == "super").count();
                    let base = current.len().checked_sub(supers)?;
                    Some(
                        current[..base]
                            .iter()
                            .chain(&path[supers..])
                            .cloned()
                            .collect(),
                    )
                }
                name if is_child(name) => Some(current.iter().chain(path).cloned().collect()),
                _ => None,
            }
        };
        match &tokens[at].1 {
            Token::Ident(word) if word == "use" => {
                let mut found = Vec::new();
                let end = use_tree(&tokens, at + 1, &[], &mut found);
                for (path, name, line) in found {
                    if let Some(target) = absolute(&path) {
                        file.bindings.push(Binding {
                            name,
                            target,
                            line,
                            top_level: inline.is_empty(),
                        });
                    }
                }
                at = end;
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some((_, Token::Ident(name))), Some((_, Token::Punct('{')))) =
                    (tokens.get(at + 1), tokens.get(at + 2))
                {
                    let mut child = current.clone();
                    child.push(name.clone());
                    inline_children.insert(child);
                    depth += 1;
                    inline.push((name.clone(), depth));
                    at += 3;
                } else {
                    at += 2;
                }
            }
            Token::Ident(word) => {
                file.used.insert(word.clone());
                let after_sep = at > 0 && tokens[at - 1].1 == Token::PathSep;
                if !after_sep && tokens.get(at + 1).map(|t| &t.1) == Some(&Token::PathSep) {
                    let line = tokens[at].0;
                    let mut path = vec![word.clone()];
                    let mut next = at + 1;
                    while let (Some((_, Token::PathSep)), Some((_, Token::Ident(segment)))) =
                        (tokens.get(next), tokens.get(next + 1))
                    {
                        path.push(segment.clone());
                        next += 2;
                    }
                    if let Some(target) = absolute(&path) {
                        file.paths.push((line, target, path.join("::")));
                    }
                }
                at += 1;
            }
            Token::Punct('{') => {
                depth += 1;
                at += 1;
            }
            Token::Punct('}') => {
                if inline.last().is_some_and(|(_, closes)| *closes == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                at += 1;
            }
            _ => at += 1,
        }
    }
    file
}

/// The crate's sources, by module.
fn read_crate() -> BTreeMap<ModPath, SourceFile> {
    let src = src_dir();
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    paths.sort();
    let modules: BTreeSet<ModPath> = paths
        .iter()
        .map(|p| module_of(p.strip_prefix(&src).unwrap()))
        .collect();
    paths
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).unwrap();
            let module = module_of(relative);
            let display = format!("src/{}", relative.display());
            let source = std::fs::read_to_string(path).unwrap();
            (
                module.clone(),
                read_source(module, display, &source, &modules),
            )
        })
        .collect()
}

/// The file module an absolute path names: the longest prefix that is a file, followed through
/// the `use` declaration that binds the next name there, if any.
fn resolve(files: &BTreeMap<ModPath, SourceFile>, path: &[String], hops: usize) -> ModPath {
    let mut module: ModPath = Vec::new();
    let mut rest = path;
    while let Some((first, tail)) = rest.split_first() {
        let mut child = module.clone();
        child.push(first.clone());
        if !files.contains_key(&child) {
            break;
        }
        module = child;
        rest = tail;
    }
    let Some((name, tail)) = rest.split_first() else {
        return module;
    };
    let binding = files[&module]
        .bindings
        .iter()
        .find(|b| b.top_level && &b.name == name);
    match binding {
        Some(binding) if hops < 16 => {
            let mut through = binding.target.clone();
            through.extend(tail.iter().cloned());
            resolve(files, &through, hops + 1)
        }
        _ => module,
    }
}

/// Every reference from one file to another.
fn edges(files: &BTreeMap<ModPath, SourceFile>) -> Vec<Edge> {
    let mut edges = Vec::new();
    for file in files.values() {
        let mut add = |line: usize, target: &[String], written: String| {
            let to = resolve(files, target, 0);
            if to != file.module {
                edges.push(Edge {
                    from: file.module.clone(),
                    line,
                    to,
                    written,
                });
            }
        };
        for binding in &file.bindings {
            if binding.name == "*" || file.used.contains(&binding.name) {
                let written = binding.target.join("::");
                add(binding.line, &binding.target, written);
            }
        }
        for (line, target, written) in &file.paths {
            add(*line, target, written.clone());
        }
    }
    edges
}

/// The table entry a module belongs to (`decision/` for a module with files of its own, in
/// `decision.rs` and `decision/`; `compiled.rs`); `None` for `lib.rs`.
fn entry_of(module: &ModPath) -> Option<String> {
    let first = module.first()?;
    let folder = format!("{first}/");
    Some(if src_dir().join(&folder).is_dir() {
        folder
    } else {
        format!("{first}.rs")
    })
}

/// The layer of a table entry: its index from the bottom, and its name.
fn layer_of(entry: &str) -> Option<(usize, &'static str)> {
    LAYERS
        .iter()
        .enumerate()
        .find(|(_, (_, modules))| modules.contains(&entry))
        .map(|(index, (name, _))| (index, *name))
}

fn display(files: &BTreeMap<ModPath, SourceFile>, module: &ModPath) -> String {
    files
        .get(module)
        .map_or_else(|| module.join("::"), |f| f.display.clone())
}

/// The cycles of a graph, one per strongly connected component of more than one node, each
/// as its edges in order.
fn cycles<N: Ord + Clone>(graph: &BTreeMap<N, Vec<(N, Edge)>>) -> Vec<(Vec<N>, Vec<Edge>)> {
    // Tarjan's algorithm, then a shortest cycle through the first node of each component.
    struct State<N> {
        index: BTreeMap<N, usize>,
        low: BTreeMap<N, usize>,
        stack: Vec<N>,
        on_stack: BTreeSet<N>,
        components: Vec<Vec<N>>,
    }
    fn visit<N: Ord + Clone>(node: &N, graph: &BTreeMap<N, Vec<(N, Edge)>>, s: &mut State<N>) {
        let index = s.index.len();
        s.index.insert(node.clone(), index);
        s.low.insert(node.clone(), index);
        s.stack.push(node.clone());
        s.on_stack.insert(node.clone());
        for (next, _) in graph.get(node).into_iter().flatten() {
            if !s.index.contains_key(next) {
                visit(next, graph, s);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node.clone(), low);
            } else if s.on_stack.contains(next) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node.clone(), low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = Vec::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(&top);
                let done = &top == node;
                component.push(top);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                s.components.push(component);
            }
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node) {
            visit(node, graph, &mut state);
        }
    }
    let mut found = Vec::new();
    for component in state.components {
        let members: BTreeSet<N> = component.iter().cloned().collect();
        let start = component.iter().min().unwrap().clone();
        // Breadth-first from `start` back to `start`, inside the component.
        let mut previous: BTreeMap<N, (N, Edge)> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        let mut closing = None;
        'search: while let Some(node) = queue.pop_front() {
            for (next, edge) in graph.get(&node).into_iter().flatten() {
                if !members.contains(next) {
                    continue;
                }
                if *next == start {
                    closing = Some((node.clone(), edge.clone()));
                    break 'search;
                }
                if !previous.contains_key(next) {
                    previous.insert(next.clone(), (node.clone(), edge.clone()));
                    queue.push_back(next.clone());
                }
            }
        }
        let (mut node, last) = closing.unwrap();
        let mut cycle = vec![last];
        while node != start {
            let (before, edge) = previous[&node].clone();
            cycle.push(edge);
            node = before;
        }
        cycle.reverse();
        found.push((component, cycle));
    }
    found
}

fn describe_cycle(files: &BTreeMap<ModPath, SourceFile>, cycle: &[Edge]) -> String {
    let mut text = String::from("import cycle:");
    for edge in cycle {
        let _ = write!(
            text,
            "\n    {}:{} imports `{}` ({})",
            display(files, &edge.from),
            edge.line,
            edge.written,
            display(files, &edge.to)
        );
    }
    text
}

/// Every violation of the layers: upward imports, then cycles between files, then cycles
/// between entries of the table.
fn violations(files: &BTreeMap<ModPath, SourceFile>, edges: &[Edge]) -> Vec<String> {
    let mut found = Vec::new();
    for edge in edges {
        let Some(from) = entry_of(&edge.from) else {
            continue; // lib.rs, the crate root, declares and re-exports every module
        };
        let Some(to) = entry_of(&edge.to) else {
            found.push(format!(
                "{}:{} imports `{}` from the crate root: import it from the module that defines it",
                display(files, &edge.from),
                edge.line,
                edge.written
            ));
            continue;
        };
        let (Some(from_layer), Some(to_layer)) = (layer_of(&from), layer_of(&to)) else {
            continue; // reported by the table's own test
        };
        if to_layer.0 > from_layer.0 {
            found.push(format!(
                "{}:{} imports `{}` ({}, layer {}) from {} (layer {}): an import from a layer above",
                display(files, &edge.from),
                edge.line,
                edge.written,
                display(files, &edge.to),
                to_layer.1,
                from,
                from_layer.1,
            ));
        }
    }
    let mut by_file: BTreeMap<ModPath, Vec<(ModPath, Edge)>> = BTreeMap::new();
    let mut by_entry: BTreeMap<String, Vec<(String, Edge)>> = BTreeMap::new();
    for edge in edges {
        // A file uses the items of the modules that enclose it (`super::`) without importing
        // another module: those edges close no cycle.
        if edge.from.starts_with(&edge.to) {
            continue;
        }
        by_file
            .entry(edge.from.clone())
            .or_default()
            .push((edge.to.clone(), edge.clone()));
        if let (Some(from), Some(to)) = (entry_of(&edge.from), entry_of(&edge.to)) {
            if from != to {
                by_entry.entry(from).or_default().push((to, edge.clone()));
            }
        }
    }
    for (members, cycle) in cycles(&by_file) {
        let members: Vec<String> = members.iter().map(|m| display(files, m)).collect();
        found.push(format!(
            "{} (files that import each other: {})",
            describe_cycle(files, &cycle),
            members.join(", ")
        ));
    }
    for (members, cycle) in cycles(&by_entry) {
        found.push(format!(
            "{} (entries of the layer table that import each other: {})",
            describe_cycle(files, &cycle),
            members.join(", ")
        ));
    }
    found
}

#[test]
fn no_module_imports_a_layer_above_it_and_no_import_forms_a_cycle() {
    let files = read_crate();
    let edges = edges(&files);
    // The reader sees imports: a sample it must find.
    let seen = |from: &[&str], to: &[&str]| {
        edges
            .iter()
            .any(|e| e.from.iter().eq(from.iter()) && e.to.iter().eq(to.iter()))
    };
    assert!(seen(&["compiled"], &["matcher"]), "use crate::matcher::...");
    assert!(seen(&["policy", "builder"], &["policy"]), "use super::Cors");
    assert!(
        seen(&["validate"], &["validate", "lists"]),
        "lists::methods(...)"
    );
    assert!(edges.len() > 150, "only {} imports read", edges.len());
    let violations = violations(&files, &edges);
    assert!(
        violations.is_empty(),
        "the engine's layers (ARCHITECTURE.md) are broken:\n{}",
        violations.join("\n")
    );
}

#[test]
fn every_module_is_in_one_layer_of_the_table() {
    let files = read_crate();
    let entries: BTreeSet<String> = files.keys().filter_map(entry_of).collect();
    let listed: Vec<&str> = LAYERS.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(
        unique.len(),
        listed.len(),
        "a module in two layers: {listed:?}"
    );
    let listed: BTreeSet<String> = unique.iter().map(|m| (*m).to_owned()).collect();
    assert_eq!(
        entries, listed,
        "the modules of src/ (left) and of the layer table (right) differ"
    );
}

/// The engine's table in ARCHITECTURE.md: each layer and the modules its row names (outside
/// parentheses, which list a directory's files).
fn architecture_table() -> Vec<(String, Vec<String>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ARCHITECTURE.md");
    let text = std::fs::read_to_string(path).unwrap();
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("The engine"))
        .expect("ARCHITECTURE.md has the engine's section");
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        if cells.len() < 3 || cells[0] == "| layer" {
            continue;
        }
        let mut depth = 0;
        let outside: String = cells[1]
            .chars()
            .filter(|&c| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => return depth == 0,
                }
                false
            })
            .collect();
        let modules = outside
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        rows.push((cells[0].trim_start_matches("| ").to_owned(), modules));
    }
    rows
}

#[test]
fn the_layer_table_is_architecture_mds() {
    let mut expected: Vec<(String, Vec<String>)> = LAYERS
        .iter()
        .map(|(name, modules)| {
            (
                (*name).to_owned(),
                modules.iter().map(|m| (*m).to_owned()).collect(),
            )
        })
        .collect();
    expected.reverse(); // ARCHITECTURE.md lists the layers top to bottom
    assert_eq!(architecture_table(), expected);
}

#[test]
fn the_reader_skips_comments_and_strings() {
    let source = "use crate::a::{self, b::{C as D, E}};\n// use crate::hidden;\nlet s = \"crate::x::y\"; let r = r#\"super::z\"#; let c = '\"';\nfn f<'a>() { crate::g::h(); }\n";
    let modules: BTreeSet<ModPath> = [vec!["m".to_owned()]].into_iter().collect();
    let file = read_source(vec!["m".into()], "m.rs".into(), source, &modules);
    let bound: Vec<(String, String, usize)> = file
        .bindings
        .iter()
        .map(|b| (b.name.clone(), b.target.join("::"), b.line))
        .collect();
    assert_eq!(
        bound,
        [
            ("a".into(), "a".into(), 1),
            ("D".into(), "a::b::C".into(), 1),
            ("E".into(), "a::b::E".into(), 1),
        ]
    );
    let paths: Vec<(usize, String)> = file.paths.iter().map(|p| (p.0, p.1.join("::"))).collect();
    assert_eq!(paths, [(4, "g::h".to_owned())]);
}
