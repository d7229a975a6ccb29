//! Which files a file-based object names: `filepath`, or `path` + `filename` (a nil filename
//! names the directory itself), with the `behaviors` that steer recursion. Shared by every
//! file-based probe.
//!
//! Behaviour follows OVAL 5.11 and, where that is loose, OpenSCAP 1.3.7: an `equals` path or
//! filepath is looked up directly; any other operation walks, from the longest literal prefix
//! of a pattern or from `/`; the walk that *finds* matching paths follows symlinks; recursion
//! *below* a matched path follows what `recurse` allows, down to `max_depth` directory levels.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::host::{
    FileContent, FileKind, FileMeta, FsScope, Root, Walk, WalkOptions, join, normalize, split_path,
};
use crate::model::oval::{Datatype, Item, ItemStatus, Operation, TypeName};
use crate::semantics::EvalError;

use crate::probes::{Collected, ProbeContext, ResolvedObject};

use crate::semantics::CollectedFlag;

use crate::semantics::ResolvedEntity;

/// One file (or directory) an object names. Identity and order are (path, filename, by_filepath).
#[derive(Debug, Clone)]
pub struct FileRef {
    /// The directory part.
    pub path: String,
    /// The name inside `path`; `None` when the object names the directory itself.
    pub filename: Option<String>,
    /// The object used `filepath` (items then report `filepath` too).
    pub by_filepath: bool,
    /// The file's `lstat` when a walk found it (saves asking again); `None` otherwise.
    pub lstat: Option<FileMeta>,
}

impl PartialEq for FileRef {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for FileRef {}

impl PartialOrd for FileRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FileRef {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.path, &self.filename, self.by_filepath).cmp(&(&other.path, &other.filename, other.by_filepath))
    }
}

impl FileRef {
    /// The full in-root path: `path/filename`, or `path` for a directory.
    pub fn full_path(&self) -> String {
        match &self.filename {
            Some(name) => join(&self.path, name),
            None => self.path.clone(),
        }
    }

    fn file(full: &str, by_filepath: bool) -> FileRef {
        let (dir, name) = split_path(full);
        FileRef { path: dir.to_string(), filename: Some(name.to_string()), by_filepath, lstat: None }
    }
}

/// The files an object names, and what went wrong while finding them.
#[derive(Debug, Clone, Default)]
pub struct FileSet {
    /// Sorted by (path, filename, by_filepath), without duplicates.
    found: Vec<Found>,
    /// The walks that `Found::Walked` entries point into.
    walks: Vec<Arc<Walk>>,
    /// Problems met while walking (unreadable directories, vanished files): not fatal, but the result
    /// may be incomplete.
    pub problems: Vec<String>,
    /// Paths the object names exactly that are there but cannot be resolved (a symlink loop,
    /// permission denied): the object is in error, never "does not exist".
    pub failures: Vec<String>,
}

/// One file of a [`FileSet`]. A walk of `/` finds hundreds of thousands of files: those are
/// kept as positions in the (shared, cached) walk, and become a [`FileRef`] one at a time.
#[derive(Debug, Clone)]
enum Found {
    /// Boxed so that the many walked entries stay small.
    Ref(Box<FileRef>),
    /// Entry `entry` of walk `walk`: that file, or (`as_dir`) that directory itself. `slash` is
    /// where the entry's path splits into directory and name (sorting compares them often).
    Walked { walk: u32, entry: u32, slash: u32, as_dir: bool },
}

impl FileSet {
    fn key<'s>(walks: &'s [Arc<Walk>], found: &'s Found) -> (&'s str, Option<&'s str>, bool) {
        match found {
            Found::Ref(r) => (&r.path, r.filename.as_deref(), r.by_filepath),
            Found::Walked { walk, entry, slash, as_dir } => {
                let path = walks[*walk as usize].entries[*entry as usize].path.as_str();
                if *as_dir {
                    (path, None, false)
                } else {
                    let slash = *slash as usize;
                    let dir = if slash == 0 { "/" } else { &path[..slash] };
                    (dir, Some(&path[slash + 1..]), false)
                }
            }
        }
    }

    fn add_walk(&mut self, walk: Arc<Walk>) -> u32 {
        self.problems.extend(walk.problems.iter().cloned());
        self.walks.push(walk);
        u32::try_from(self.walks.len() - 1).unwrap_or(u32::MAX)
    }

    fn push_walked(&mut self, walk: u32, entry: usize, as_dir: bool) {
        let path = &self.walks[walk as usize].entries[entry].path;
        // Walked paths are absolute, so they have a `/`; a walk holds at most `walk-entries`
        // (by default well below u32::MAX) entries, and a path is far shorter than 4 GiB.
        let slash = u32::try_from(path.rfind('/').unwrap_or(0)).unwrap_or(0);
        let entry = u32::try_from(entry).unwrap_or(u32::MAX);
        self.found.push(Found::Walked { walk, entry, slash, as_dir });
    }

    fn sort_and_dedup(&mut self) {
        let walks = &self.walks;
        self.found.sort_by(|a, b| Self::key(walks, a).cmp(&Self::key(walks, b)));
        self.found.dedup_by(|a, b| Self::key(walks, a) == Self::key(walks, b));
    }

    fn file_ref(&self, found: &Found) -> FileRef {
        match found {
            Found::Ref(r) => FileRef::clone(r),
            Found::Walked { walk, entry, as_dir, .. } => {
                let e = &self.walks[*walk as usize].entries[*entry as usize];
                let mut r = if *as_dir {
                    FileRef { path: e.path.clone(), filename: None, by_filepath: false, lstat: None }
                } else {
                    FileRef::file(&e.path, false)
                };
                r.lstat = e.lstat.clone();
                r
            }
        }
    }

    /// The files, sorted by directory and name.
    pub fn files(&self) -> impl Iterator<Item = FileRef> + '_ {
        self.found.iter().map(|f| self.file_ref(f))
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FileSetError {
    #[error("object `{object}` has neither `filepath` nor `path`")]
    NoPath { object: String },
    #[error("object `{object}`: behavior `{name}` has an invalid value `{value}`")]
    BadBehavior { object: String, name: String, value: String },
    #[error("object `{object}`: {source}")]
    Compare { object: String, source: EvalError },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    None,
    Down,
    Up,
}

/// The file `behaviors` of an object, with OVAL defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileBehaviors {
    pub recurse_dirs: bool,
    pub recurse_symlinks: bool,
    pub direction: Direction,
    /// `None` = unlimited (`-1`).
    pub max_depth: Option<u32>,
    pub scope: FsScope,
}

impl FileBehaviors {
    pub fn of(object: &ResolvedObject<'_>) -> Result<FileBehaviors, FileSetError> {
        let bad = |name: &str, value: &str| FileSetError::BadBehavior {
            object: object.id.to_string(),
            name: name.to_string(),
            value: value.to_string(),
        };
        let (recurse_dirs, recurse_symlinks) = match object.behavior("recurse") {
            None | Some("symlinks and directories") => (true, true),
            Some("directories") | Some("files and directories") => (true, false),
            Some("symlinks") => (false, true),
            Some(other) => return Err(bad("recurse", other)),
        };
        let direction = match object.behavior("recurse_direction") {
            None | Some("none") => Direction::None,
            Some("down") => Direction::Down,
            Some("up") => Direction::Up,
            Some(other) => return Err(bad("recurse_direction", other)),
        };
        let max_depth = match object.behavior("max_depth") {
            None => None,
            Some(v) => match v.trim().parse::<i64>() {
                Ok(-1) => None,
                Ok(n) if n >= 0 => Some(u32::try_from(n).unwrap_or(u32::MAX)),
                _ => return Err(bad("max_depth", v)),
            },
        };
        let scope = match object.behavior("recurse_file_system") {
            None | Some("all") => FsScope::All,
            Some("local") => FsScope::Local,
            Some("defined") => FsScope::Defined,
            Some(other) => return Err(bad("recurse_file_system", other)),
        };
        Ok(FileBehaviors { recurse_dirs, recurse_symlinks, direction, max_depth, scope })
    }
}

/// Resolve the files an object names.
pub fn resolve_files(object: &ResolvedObject<'_>, root: &Root) -> Result<FileSet, FileSetError> {
    let behaviors = FileBehaviors::of(object)?;
    let cmp_err = |source| FileSetError::Compare { object: object.id.to_string(), source };
    let mut set = FileSet::default();
    if let Some(filepath) = object.entity("filepath") {
        for full in matching_paths(root, filepath, false, &mut set).map_err(cmp_err)? {
            set.found.push(Found::Ref(Box::new(FileRef::file(&full, true))));
        }
    } else if let Some(path) = object.entity("path") {
        let filename = object.entity("filename").filter(|f| !f.nil);
        for dir in matching_paths(root, path, true, &mut set).map_err(cmp_err)? {
            collect_below(root, &dir, filename, behaviors, &mut set).map_err(cmp_err)?;
        }
    } else {
        return Err(FileSetError::NoPath { object: object.id.to_string() });
    }
    set.sort_and_dedup();
    Ok(set)
}

/// The paths that match a `path` (directories) or `filepath` (anything but directories) entity.
fn matching_paths(
    root: &Root,
    entity: &ResolvedEntity,
    want_dirs: bool,
    set: &mut FileSet,
) -> Result<Vec<String>, EvalError> {
    let is_wanted = |kind: FileKind| (kind == FileKind::Directory) == want_dirs;
    if let Some(values) = entity.exact_values() {
        let mut out = Vec::new();
        for v in values {
            let p = normalize(v);
            // oscap reports the target of a symlink named directly, under the link's path.
            match root.stat(&p) {
                Ok(meta) if is_wanted(meta.kind) => out.push(p),
                Ok(_) => {}
                // A dangling symlink still exists as itself (oscap reports it from lstat).
                Err(e) if e.is_not_found() => {
                    if !want_dirs && root.lstat(&p).is_ok_and(|m| m.kind == FileKind::Symlink) {
                        out.push(p);
                    }
                }
                Err(e) => set.failures.push(e.to_string()),
            }
        }
        return Ok(out);
    }
    let start = match entity.operation {
        Operation::PatternMatch if entity.values.len() == 1 => literal_dir_prefix(&entity.values[0]),
        _ => "/".to_string(),
    };
    let walk = root.walk(&start, WalkOptions { dirs_only: want_dirs, ..WalkOptions::everything() });
    set.problems.extend(walk.problems.iter().cloned());
    let mut out = Vec::new();
    for e in &walk.entries {
        if is_wanted(e.kind) && entity.matches(&e.path)? {
            out.push(e.path.clone());
        }
    }
    Ok(out)
}

/// Add what a matched directory contributes, following `filename` and the recursion behaviors.
fn collect_below(
    root: &Root,
    dir: &str,
    filename: Option<&ResolvedEntity>,
    b: FileBehaviors,
    set: &mut FileSet,
) -> Result<(), EvalError> {
    let dir_ref = |p: &str| {
        Found::Ref(Box::new(FileRef { path: p.to_string(), filename: None, by_filepath: false, lstat: None }))
    };
    match b.direction {
        Direction::None => match filename {
            None => set.found.push(dir_ref(dir)),
            Some(f) => files_in(root, dir, f, set)?,
        },
        Direction::Down => {
            let options = WalkOptions {
                into_dirs: b.recurse_dirs,
                into_symlinks: b.recurse_symlinks,
                max_dir_depth: b.max_depth,
                scope: b.scope,
                dirs_only: false,
            };
            let walk = root.walk(dir, options);
            let walk_index = set.add_walk(walk.clone());
            let deepest_dir = b.max_depth.unwrap_or(u32::MAX);
            for (index, e) in walk.entries.iter().enumerate() {
                match filename {
                    None => {
                        // A symlinked directory counts only when followed, and never a cycle.
                        let followed = e.depth == 0 || ((!e.is_symlink || b.recurse_symlinks) && !e.is_cycle);
                        if e.is_dir() && followed && e.depth <= deepest_dir {
                            set.push_walked(walk_index, index, true);
                        }
                    }
                    Some(f) => {
                        // A symlink to a directory is still a candidate by name, as in oscap.
                        let candidate = e.depth > 0 && (!e.is_dir() || e.is_symlink);
                        if candidate && f.matches(e.split().1)? {
                            set.push_walked(walk_index, index, false);
                        }
                    }
                }
            }
        }
        Direction::Up => {
            let mut current = dir.to_string();
            let mut level = 0u32;
            loop {
                match filename {
                    None => set.found.push(dir_ref(&current)),
                    Some(f) => files_in(root, &current, f, set)?,
                }
                if current == "/" || b.max_depth.is_some_and(|m| level >= m) {
                    break;
                }
                current = split_path(&current).0.to_string();
                level += 1;
            }
        }
    }
    Ok(())
}

/// Entries of one directory (not descending) whose name matches `filename`.
fn files_in(root: &Root, dir: &str, filename: &ResolvedEntity, set: &mut FileSet) -> Result<(), EvalError> {
    if let Some(values) = filename.exact_values() {
        for name in values {
            if name.contains('/') || name.is_empty() {
                continue;
            }
            let full = join(dir, name);
            match root.lstat(&full) {
                Ok(m) if m.kind != FileKind::Directory => {
                    set.found.push(Found::Ref(Box::new(FileRef::file(&full, false))))
                }
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => set.failures.push(e.to_string()),
            }
        }
        return Ok(());
    }
    let names = match root.read_dir(dir) {
        Ok(n) => n,
        Err(e) => {
            if !e.is_not_found() {
                set.problems.push(e.to_string());
            }
            return Ok(());
        }
    };
    for name in names {
        let full = join(dir, &name);
        let is_dir = root.lstat(&full).map(|m| m.kind == FileKind::Directory).unwrap_or(false);
        if !is_dir && filename.matches(&name)? {
            set.found.push(Found::Ref(Box::new(FileRef::file(&full, false))));
        }
    }
    Ok(())
}

/// Resolves the directories of a file set, each once and each from its already-resolved parent:
/// one `lstat` per directory instead of one per path component.
#[derive(Default)]
pub struct DirResolver {
    resolved: std::collections::HashMap<String, Result<String, String>>,
}

impl DirResolver {
    /// The symlink-free in-root path of directory `dir`, or why it cannot be resolved.
    pub fn resolve(&mut self, root: &Root, dir: &str) -> Result<&str, &str> {
        if !self.resolved.contains_key(dir) {
            let (parent, name) = split_path(dir);
            let result = if dir == "/" || parent.is_empty() || name.is_empty() || name == ".." {
                root.resolve(dir).map_err(|e| e.to_string())
            } else {
                let parent = parent.to_string();
                match self.resolve(root, &parent) {
                    Ok(p) => {
                        let p = p.to_string();
                        root.resolve_in(&p, name).map_err(|e| e.to_string())
                    }
                    Err(e) => Err(e.to_string()),
                }
            };
            self.resolved.insert(dir.to_string(), result);
        }
        match self.resolved.get(dir) {
            Some(Ok(r)) => Ok(r),
            Some(Err(e)) => Err(e),
            None => Err("directory not resolved"),
        }
    }
}

/// Add the `filepath`, `path` and `filename` fields the way oscap fills them: `filepath` only
/// for a file (not for a directory named by a nil filename), whose `filename` is then empty.
pub fn push_location(item: &mut Item, file: &FileRef) {
    if file.filename.is_some() {
        item.push("filepath", Datatype::String, file.full_path());
    }
    item.push("path", Datatype::String, file.path.clone());
    item.push("filename", Datatype::String, file.filename.clone().unwrap_or_default());
}

/// An item in `error` status for a file that could not be read: its location and why.
pub fn error_item(kind: TypeName, file: &FileRef, message: String) -> Item {
    let mut item = Item::new(kind);
    push_location(&mut item, file);
    item.status = ItemStatus::Error;
    item.messages.push(message);
    item
}

/// Read a file the object names, for probes that look inside files. A missing file, a directory,
/// or a FIFO/device/socket a pattern walked into is skipped; anything else that cannot be read
/// (a FIFO/device/socket named by the object, a symlink loop, over the size limit, permission)
/// becomes an `error` item. The SHA-256 of
/// what was read is recorded as evidence.
pub fn read_regular(
    root: &Root,
    named: bool,
    file: &FileRef,
    kind: &TypeName,
    out: &mut Collected,
) -> Option<FileContent> {
    let full = file.full_path();
    // Reading is not absence: only a missing file (or a directory a pattern matched) is skipped.
    // A file that is there and cannot be read (a FIFO, a device, a socket, a symlink loop,
    // permission denied) is an `error` item, never "does not exist" (where oscap skips it, a
    // rule compliant when the file is absent would pass).
    match root.stat(&full) {
        Ok(meta) if meta.kind == FileKind::Regular => {}
        Ok(meta) if meta.kind == FileKind::Directory => return None,
        // A FIFO, device or socket a pattern matched is not what the object asked for.
        Ok(_) if !named => return None,
        Ok(meta) => {
            let message = format!("`{full}`: is a {}, not a regular file; not read", meta.kind);
            out.items.push(error_item(kind.clone(), file, message));
            return None;
        }
        Err(e) if e.is_not_found() => return None,
        Err(e) => {
            out.items.push(error_item(kind.clone(), file, e.to_string()));
            return None;
        }
    }
    match root.read(&full) {
        Ok(content) => {
            out.evidence.push((full, content.sha256.clone()));
            Some(content)
        }
        Err(e) => {
            out.items.push(error_item(kind.clone(), file, e.to_string()));
            None
        }
    }
}

/// Resolve the object's files and run `per_file` on each, gathering items, evidence and
/// messages into one [`Collected`]. The flag is `error` when the files cannot be determined
/// or an item is in error, else `complete` / `does not exist` by whether items were found.
pub fn collect_each(
    object: &ResolvedObject<'_>,
    ctx: &ProbeContext<'_>,
    mut per_file: impl FnMut(&FileRef, &mut Collected) -> Result<(), EvalError>,
) -> Collected {
    let mut set = match resolve_files(object, ctx.root()) {
        Ok(s) => s,
        Err(e) => return Collected::error(e.to_string()),
    };
    let mut out = Collected::from_items(Vec::new());
    // Enough to see what went wrong without flooding the results from a walk of `/`.
    const MAX_PROBLEMS: usize = 20;
    let hidden = set.problems.len().saturating_sub(MAX_PROBLEMS);
    out.messages
        .extend(std::mem::take(&mut set.problems).into_iter().take(MAX_PROBLEMS).map(Diagnostic::note));
    if hidden > 0 {
        out.messages.push(format!("… and {hidden} more problems while walking").into());
    }
    let failures = std::mem::take(&mut set.failures);
    for file in set.files() {
        let file = &file;
        let before = out.items.len();
        if let Err(e) = per_file(file, &mut out) {
            out.flag = CollectedFlag::Error;
            out.messages.push(format!("object `{}`: {e}", object.id).into());
            return out;
        }
        if ctx.filter.is_some() {
            // Items in error stay: they make the object's flag `error`, filtered or not.
            let mut index = 0;
            out.items.retain(|item| {
                index += 1;
                index <= before || item.status == ItemStatus::Error || ctx.keeps(item)
            });
        }
    }
    if !failures.is_empty() {
        out.flag = CollectedFlag::Error;
        out.messages.extend(failures.into_iter().map(Diagnostic::from));
    }
    if out.flag != CollectedFlag::Error {
        out.flag = if out.items.iter().any(|i| i.status == ItemStatus::Error) {
            CollectedFlag::Error
        } else if out.items.is_empty() {
            CollectedFlag::DoesNotExist
        } else {
            CollectedFlag::Complete
        };
    }
    out
}

/// [`collect_each`] for probes that parse each regular file they read (XML, YAML): `parse` gets
/// the file, its shown path and its text (lossy UTF-8) and makes at most one item. A file that
/// does not parse is a message, and makes the object's flag `error` (its other items stay).
pub fn collect_parsed(
    object: &ResolvedObject<'_>,
    ctx: &ProbeContext<'_>,
    mut parse: impl FnMut(&FileRef, &str, &str) -> Result<Option<Item>, String>,
) -> Collected {
    let kind = crate::probes::item_type(object.kind);
    let named = names_files_exactly(object);
    let mut failed = false;
    let mut out = collect_each(object, ctx, |file, out| {
        let Some(content) = read_regular(ctx.root(), named, file, &kind, out) else { return Ok(()) };
        let full = file.full_path();
        // A parser's tree costs many times the file: bounded by its own, smaller limit.
        let limit = crate::limits::get().parsed_file_bytes;
        if content.bytes.len() as u64 > limit {
            let message = format!(
                "`{full}`: {} bytes is over the {limit}-byte limit for files parsed into a tree \
                 (limit `parsed-file-bytes`); not parsed",
                content.bytes.len()
            );
            out.items.push(error_item(kind.clone(), file, message));
            return Ok(());
        }
        let text = match decode_strict(&content.bytes, &full) {
            Ok(text) => text,
            Err(message) => {
                out.items.push(error_item(kind.clone(), file, message));
                return Ok(());
            }
        };
        match parse(file, &full, text) {
            Ok(Some(item)) => out.items.push(item),
            Ok(None) => {}
            Err(message) => {
                failed = true;
                out.messages.push(message.into());
            }
        }
        Ok(())
    });
    if failed {
        out.flag = CollectedFlag::Error;
    }
    out
}

/// Does the object name its files exactly (`filepath`, or `path` and `filename`, with `equals`)?
/// Then a file that is there but is not a regular file is an error, not skipped.
pub fn names_files_exactly(object: &ResolvedObject<'_>) -> bool {
    let exact = |name| object.entity(name).is_some_and(|e| e.exact_values().is_some());
    exact("filepath") || (exact("path") && exact("filename"))
}

/// The text of a file parsed into a tree. Bytes that are not UTF-8 are an error, not replaced:
/// what the file's reader makes of them is unknown, and a replaced value could pass.
fn decode_strict<'a>(bytes: &'a [u8], shown: &str) -> Result<&'a str, String> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(format!("`{shown}`: UTF-16 (byte-order mark); stigrun reads UTF-8 files"));
    }
    std::str::from_utf8(bytes)
        .map_err(|e| format!("`{shown}`: not valid UTF-8 at byte {}; not parsed", e.valid_up_to()))
}

/// The directory a pattern's matches must all lie under: the longest literal prefix of an
/// anchored pattern, cut back to its last `/`. `^/etc/docker/.*` → `/etc/docker`; a pattern
/// that is not anchored, has a top-level alternative or starts with a metacharacter → `/`.
pub fn literal_dir_prefix(pattern: &str) -> String {
    let Some(body) = pattern.strip_prefix('^') else { return "/".to_string() };
    if has_top_level_alternation(body) {
        return "/".to_string();
    }
    let mut literal = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        let lit = match c {
            '\\' => match chars.next() {
                // An escaped punctuation character is itself; `\d`, `\w`, `\Q`… end the prefix.
                Some(e) if !e.is_ascii_alphanumeric() => e,
                _ => break,
            },
            '.' | '[' | '(' | ')' | '*' | '+' | '?' | '{' | '}' | '|' | '$' | '^' => break,
            other => other,
        };
        // A quantifier after this character makes it optional or repeated: not part of the prefix.
        if matches!(chars.peek(), Some('*' | '?' | '{' | '+')) {
            break;
        }
        literal.push(lit);
    }
    if !literal.starts_with('/') {
        return "/".to_string();
    }
    match literal.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => literal[..i].to_string(),
    }
}

fn has_top_level_alternation(pattern: &str) -> bool {
    let mut depth = 0i32;
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth -= 1,
            '|' if !in_class && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::oval::{Check, Family};
    use std::fs;
    use std::os::unix::fs::symlink;

    pub(crate) fn entity(name: &str, op: Operation, value: &str) -> ResolvedEntity {
        ResolvedEntity {
            name: name.to_string(),
            datatype: Datatype::String,
            operation: op,
            values: vec![value.to_string()],
            var_check: Check::All,
            nil: false,
            from_variable: false,
        }
    }

    pub(crate) fn nil(name: &str) -> ResolvedEntity {
        ResolvedEntity { values: vec![], nil: true, ..entity(name, Operation::Equals, "") }
    }

    pub(crate) fn kind(family: Family, name: &str) -> TypeName {
        let ns = match family {
            Family::Unix => crate::model::oval::NS_UNIX,
            _ => crate::model::oval::NS_IND,
        };
        TypeName { family, namespace: ns.to_string(), name: name.to_string() }
    }

    pub(crate) fn object<'a>(
        kind: &'a TypeName,
        entities: Vec<ResolvedEntity>,
        behaviors: &'a [(String, String)],
    ) -> ResolvedObject<'a> {
        ResolvedObject { id: "oval:t:obj:1", kind, entities, behaviors }
    }

    pub(crate) fn behaviors(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path();
        fs::create_dir_all(b.join("etc/ssh/sub/deeper")).unwrap();
        fs::write(b.join("etc/ssh/sshd_config"), "Port 22\n").unwrap();
        fs::write(b.join("etc/ssh/sub/a.conf"), "a").unwrap();
        fs::write(b.join("etc/ssh/sub/deeper/b.conf"), "b").unwrap();
        fs::create_dir_all(b.join("usr/lib")).unwrap();
        fs::write(b.join("usr/lib/c.conf"), "c").unwrap();
        let root = Root::new(b).unwrap();
        (dir, root)
    }

    fn full_paths(set: &FileSet) -> Vec<String> {
        set.files().map(|f| f.full_path()).collect()
    }

    fn run(root: &Root, entities: Vec<ResolvedEntity>, b: &[(&str, &str)]) -> Vec<String> {
        let k = kind(Family::Unix, "file_object");
        let b = behaviors(b);
        full_paths(&resolve_files(&object(&k, entities, &b), root).unwrap())
    }

    #[test]
    fn filepath_equals_is_a_direct_lookup() {
        let (_d, root) = fixture();
        let got = run(&root, vec![entity("filepath", Operation::Equals, "/etc/ssh/sshd_config")], &[]);
        assert_eq!(got, vec!["/etc/ssh/sshd_config"]);
        assert!(run(&root, vec![entity("filepath", Operation::Equals, "/etc/ssh/nope")], &[]).is_empty());
        // A directory is never a filepath match.
        assert!(run(&root, vec![entity("filepath", Operation::Equals, "/etc/ssh")], &[]).is_empty());
        // The lookup needed no walk.
        assert!(root.walk_cache().is_empty());
    }

    #[test]
    fn dangling_symlink_named_by_filepath_is_found() {
        let (d, root) = fixture();
        // `../` past the root clamps at the root, where the target does not exist.
        symlink("../../../../etc/missing", d.path().join("etc/dangling")).unwrap();
        let got = run(&root, vec![entity("filepath", Operation::Equals, "/etc/dangling")], &[]);
        assert_eq!(got, vec!["/etc/dangling"]);
    }

    #[test]
    fn filepath_pattern_walks_from_literal_prefix() {
        let (_d, root) = fixture();
        let got = run(&root, vec![entity("filepath", Operation::PatternMatch, r"^/etc/ssh/.*\.conf$")], &[]);
        assert_eq!(got, vec!["/etc/ssh/sub/a.conf", "/etc/ssh/sub/deeper/b.conf"]);
    }

    #[test]
    fn nil_filename_names_the_directory() {
        let (_d, root) = fixture();
        let got = run(&root, vec![entity("path", Operation::Equals, "/etc/ssh"), nil("filename")], &[]);
        assert_eq!(got, vec!["/etc/ssh"]);
    }

    #[test]
    fn recursion_down_with_max_depth() {
        let (_d, root) = fixture();
        let e = || {
            vec![
                entity("path", Operation::Equals, "/etc/ssh"),
                entity("filename", Operation::PatternMatch, r"\.conf$"),
            ]
        };
        let down = [("recurse_direction", "down")];
        assert_eq!(run(&root, e(), &down), vec!["/etc/ssh/sub/a.conf", "/etc/ssh/sub/deeper/b.conf"]);
        assert!(run(&root, e(), &[("recurse_direction", "down"), ("max_depth", "0")]).is_empty());
        assert_eq!(
            run(&root, e(), &[("recurse_direction", "down"), ("max_depth", "1")]),
            vec!["/etc/ssh/sub/a.conf"]
        );
        // Directories with a nil filename: the path itself and subdirectories to max_depth.
        let dirs = vec![entity("path", Operation::Equals, "/etc/ssh"), nil("filename")];
        assert_eq!(
            run(&root, dirs.clone(), &[("recurse_direction", "down"), ("max_depth", "1")]),
            vec!["/etc/ssh", "/etc/ssh/sub"]
        );
        assert_eq!(run(&root, dirs, &down), vec!["/etc/ssh", "/etc/ssh/sub", "/etc/ssh/sub/deeper"]);
    }

    #[test]
    fn recursion_up() {
        let (_d, root) = fixture();
        let e = vec![entity("path", Operation::Equals, "/etc/ssh/sub/deeper"), nil("filename")];
        let got = run(&root, e, &[("recurse_direction", "up"), ("max_depth", "2")]);
        assert_eq!(got, vec!["/etc/ssh", "/etc/ssh/sub", "/etc/ssh/sub/deeper"]);
    }

    #[test]
    fn path_pattern_with_filename() {
        let (_d, root) = fixture();
        let e = vec![
            entity("path", Operation::PatternMatch, "^/etc/ssh.*"),
            entity("filename", Operation::PatternMatch, r"\.conf$"),
        ];
        assert_eq!(run(&root, e, &[]), vec!["/etc/ssh/sub/a.conf", "/etc/ssh/sub/deeper/b.conf"]);
    }

    #[test]
    fn symlinked_directories_inside_the_root() {
        let (d, root) = fixture();
        symlink("/usr/lib", d.path().join("etc/ssh/abs")).unwrap();
        symlink("../../../../../usr/lib", d.path().join("etc/ssh/rel")).unwrap();
        let e = || {
            vec![
                entity("path", Operation::Equals, "/etc/ssh"),
                entity("filename", Operation::Equals, "c.conf"),
            ]
        };
        let follow = run(&root, e(), &[("recurse_direction", "down")]);
        assert_eq!(follow, vec!["/etc/ssh/abs/c.conf", "/etc/ssh/rel/c.conf"]);
        let dirs_only = run(&root, e(), &[("recurse_direction", "down"), ("recurse", "directories")]);
        assert!(dirs_only.is_empty(), "{dirs_only:?}");
    }

    #[test]
    fn directories_through_symlinks_only_when_followed_and_never_cycles() {
        let (d, root) = fixture();
        symlink("../..", d.path().join("etc/ssh/sub/up")).unwrap();
        symlink("sub", d.path().join("etc/ssh/rel")).unwrap();
        let e = || vec![entity("path", Operation::Equals, "/etc/ssh"), nil("filename")];
        let all = run(&root, e(), &[("recurse_direction", "down")]);
        // `up` is /etc: not on the branch, so followed; /etc/ssh below it is a cycle.
        let expected = [
            "/etc/ssh",
            "/etc/ssh/rel",
            "/etc/ssh/rel/deeper",
            "/etc/ssh/rel/up",
            "/etc/ssh/sub",
            "/etc/ssh/sub/deeper",
            "/etc/ssh/sub/up",
        ];
        assert_eq!(all, expected);
        let dirs = run(&root, e(), &[("recurse_direction", "down"), ("recurse", "directories")]);
        assert_eq!(dirs, ["/etc/ssh", "/etc/ssh/sub", "/etc/ssh/sub/deeper"]);
    }

    #[test]
    fn symlink_loop_in_recursion_ends() {
        let (d, root) = fixture();
        symlink("/etc", d.path().join("etc/ssh/sub/loop")).unwrap();
        let e =
            vec![entity("path", Operation::Equals, "/etc"), entity("filename", Operation::Equals, "a.conf")];
        let k = kind(Family::Unix, "file_object");
        let b = behaviors(&[("recurse_direction", "down")]);
        let set = resolve_files(&object(&k, e, &b), &root).unwrap();
        assert_eq!(full_paths(&set), vec!["/etc/ssh/sub/a.conf"]);
        assert!(set.problems.is_empty(), "{:?}", set.problems);
    }

    #[test]
    fn objects_walking_the_same_tree_share_one_walk() {
        let (_d, root) = fixture();
        let down = [("recurse_direction", "down")];
        run(
            &root,
            vec![entity("path", Operation::Equals, "/etc"), entity("filename", Operation::PatternMatch, "a")],
            &down,
        );
        run(
            &root,
            vec![entity("path", Operation::Equals, "/etc"), entity("filename", Operation::PatternMatch, "b")],
            &down,
        );
        run(&root, vec![entity("path", Operation::Equals, "/etc"), nil("filename")], &down);
        assert_eq!(root.walk_cache().len(), 1);
        run(&root, vec![entity("path", Operation::Equals, "/usr"), nil("filename")], &down);
        assert_eq!(root.walk_cache().len(), 2);
    }

    #[test]
    fn bad_behavior_is_an_error() {
        let (_d, root) = fixture();
        let k = kind(Family::Unix, "file_object");
        let b = behaviors(&[("max_depth", "deep")]);
        let o = object(&k, vec![entity("filepath", Operation::Equals, "/x")], &b);
        assert!(matches!(resolve_files(&o, &root), Err(FileSetError::BadBehavior { .. })));
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_dir_prefix("^/etc/docker/.*"), "/etc/docker");
        assert_eq!(literal_dir_prefix(r"^/etc/ssh/sshd_config\.d/.*\.conf$"), "/etc/ssh/sshd_config.d");
        assert_eq!(literal_dir_prefix("^/etc/ssh.*"), "/etc");
        assert_eq!(literal_dir_prefix("^/etc/(a|b)/x"), "/etc");
        assert_eq!(literal_dir_prefix("^/etc/a|^/usr/b"), "/");
        assert_eq!(literal_dir_prefix("/etc/.*"), "/");
        assert_eq!(literal_dir_prefix("^.*/x"), "/");
        assert_eq!(literal_dir_prefix("^/etc/abc?/x"), "/etc");
        assert_eq!(literal_dir_prefix(r"^/usr/\w+/x"), "/usr");
    }
}
