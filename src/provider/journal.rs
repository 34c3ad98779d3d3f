//! The run journal: what the plan a user reviewed knew, for the plan Terraform redoes during
//! apply, which runs in another process and is told almost nothing.
//!
//! Terraform starts a fresh provider process for each walk of a command. The apply walk
//! re-plans each create with no prior state and no private data, so it cannot tell that the
//! NIC it finds attached belongs to the object a `create_before_destroy` replacement has just
//! set aside; before 1.9 it is not even told that it is the apply walk; before 1.3 a delete
//! cannot learn that a create at another address keeps its attachment. The review walk knows
//! all of that, and writes it here; the apply walk of the same run reads it.
//!
//! A journal belongs to one run:
//! - `terraform apply` (no saved plan): the plan walk and the apply walk are started by the
//!   same Terraform process; the journal is named after it (PID and start time). Each process
//!   signs it when it is configured. A walk runs one process per provider configuration, all
//!   configured as the walk starts (before any of them plans, so before any ends), and
//!   Terraform ends a walk's processes before it starts the next walk: so a process that finds,
//!   when it is configured, a signature of a process that has ended is the apply walk, and one
//!   that finds only running ones (or none) is the review walk.
//! - a saved plan: `terraform plan -out=FILE` writes a journal named after FILE's path and
//!   its own Terraform process; `terraform apply FILE` reads the newest of them that FILE was
//!   written after (a later plan that failed, and so never replaced FILE, is newer than FILE).
//!
//! Where none of that can be read (no `/proc`, another command, a directory another user
//! could touch), there is no journal and callers do what they did without one. The journal
//! only ever holds NIC and instance IDs, never anything secret.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::LOG_TARGET;
use super::invocation::{self, RunShape, Starter};

/// Journals older than this are removed when a new one is written.
const KEEP_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// Which walk of its run this process serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The plan the user reviews (`terraform plan`, or the plan step of `apply`): writes.
    Review,
    /// The apply walk, whose plans are the ones Terraform redoes during apply: reads.
    Final,
}

/// What the review walk planned that the apply walk cannot see for itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Entry {
    /// A replacement whose new object attaches the same NIC to the same instance (a `-replace`
    /// or a tainted object re-created).
    Replaces { nic_id: String, instance_id: String },
    /// A create of this attachment, at an address other than the object holding it now.
    Arrives { nic_id: String, instance_id: String },
}

impl Entry {
    fn line(&self) -> String {
        match self {
            Entry::Replaces {
                nic_id,
                instance_id,
            } => format!("replaces {nic_id} {instance_id}\n"),
            Entry::Arrives {
                nic_id,
                instance_id,
            } => format!("arrives {nic_id} {instance_id}\n"),
        }
    }

    fn parse(line: &str) -> Option<Entry> {
        let mut words = line.split(' ');
        let (kind, nic_id, instance_id) = (words.next()?, words.next()?, words.next()?);
        if words.next().is_some() {
            return None;
        }
        let (nic_id, instance_id) = (nic_id.to_owned(), instance_id.to_owned());
        match kind {
            "replaces" => Some(Entry::Replaces {
                nic_id,
                instance_id,
            }),
            "arrives" => Some(Entry::Arrives {
                nic_id,
                instance_id,
            }),
            _ => None,
        }
    }
}

/// How this process finds and treats its run's journal.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// `terraform apply`: the role is decided by whether a process that signed it has ended.
    ApplyRun,
    /// `terraform plan -out=FILE`: a review walk.
    PlanSaved,
    /// `terraform apply FILE`: the apply walk of that plan, reading the newest journal named
    /// `prefix…` that FILE is not older than (it writes none).
    ApplySaved { plan_file: PathBuf, prefix: String },
}

/// This process's view of its run's journal.
#[derive(Debug)]
pub(crate) struct Journal {
    /// The private directory of every journal.
    dir: PathBuf,
    /// The file this process signs and writes (and, in `terraform apply`, reads).
    path: PathBuf,
    kind: Kind,
    /// This process, as PID and start time.
    pid: u32,
    start_ticks: u64,
    /// Whether a process (PID, start time) still runs.
    running: fn(u32, u64) -> bool,
    role: OnceLock<Role>,
    /// Entries written by this process, or read by it (once, as the apply walk).
    entries: Mutex<Option<HashSet<Entry>>>,
    /// Old journals are pruned once per process, before its first write.
    pruned: Once,
}

impl Journal {
    /// The journal of the command that started this process, if it has one.
    pub(crate) fn for_this_process() -> Option<Journal> {
        let starter = invocation::starter()?;
        let env = |name: &str| std::env::var(name).ok();
        let shape = invocation::run_shape(&starter.args, &env);
        let dir = private_dir()?;
        let this = (std::process::id(), invocation::own_start_ticks()?);
        Journal::open(&dir, &shape, &starter, this, invocation::is_running)
    }

    /// The journal in `dir` for a command of `shape` run by `starter`, seen from process `this`
    /// (PID, start time); `running` tells whether another process still runs.
    fn open(
        dir: &Path,
        shape: &RunShape,
        starter: &Starter,
        this: (u32, u64),
        running: fn(u32, u64) -> bool,
    ) -> Option<Journal> {
        let absolute = |file: &str| absolute_plan_file(starter.cwd.as_deref(), file);
        let run = format!("{}-{}", starter.pid, starter.start_ticks);
        let (name, kind) = match shape {
            RunShape::Apply => (format!("run-{run}"), Kind::ApplyRun),
            RunShape::PlanSaved(file) => (
                format!("{}{run}", plan_prefix(&absolute(file)?)),
                Kind::PlanSaved,
            ),
            RunShape::ApplySaved(file) => {
                let plan_file = absolute(file)?;
                let prefix = plan_prefix(&plan_file);
                (prefix.clone(), Kind::ApplySaved { plan_file, prefix })
            }
            RunShape::Other => return None,
        };
        Some(Journal {
            dir: dir.to_path_buf(),
            path: dir.join(name),
            kind,
            pid: this.0,
            start_ticks: this.1,
            running,
            role: OnceLock::new(),
            entries: Mutex::new(None),
            pruned: Once::new(),
        })
    }

    /// Which walk this process serves, decided at the first call (made when the provider is
    /// configured); a review walk of `terraform apply` signs the journal then, so that the
    /// apply walk can tell itself apart.
    pub(crate) fn role(&self) -> Role {
        *self.role.get_or_init(|| match &self.kind {
            Kind::PlanSaved => Role::Review,
            Kind::ApplySaved { .. } => Role::Final,
            Kind::ApplyRun => {
                let text = fs::read_to_string(&self.path).unwrap_or_default();
                let this = (self.pid, self.start_ticks);
                let earlier_walk = text
                    .lines()
                    .filter_map(parse_signature)
                    .any(|p| p != this && !(self.running)(p.0, p.1));
                if earlier_walk {
                    Role::Final
                } else {
                    let line = format!("walk {} {}\n", self.pid, self.start_ticks);
                    self.append(&line);
                    Role::Review
                }
            }
        })
    }

    /// Records what this review walk planned; does nothing in the apply walk.
    pub(crate) fn note(&self, entry: Entry) {
        if self.role() != Role::Review {
            return;
        }
        let mut entries = self.lock();
        if entries
            .get_or_insert_with(HashSet::new)
            .insert(entry.clone())
        {
            self.append(&entry.line());
        }
    }

    /// True when this is the apply walk and its review walk recorded `entry`.
    pub(crate) fn says(&self, entry: &Entry) -> bool {
        if self.role() != Role::Final {
            return false;
        }
        self.lock()
            .get_or_insert_with(|| self.read_entries())
            .contains(entry)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<HashSet<Entry>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The entries of this run's review walk, or none if there is no journal of it.
    fn read_entries(&self) -> HashSet<Entry> {
        let path = match &self.kind {
            // The file is named after this run.
            Kind::ApplyRun => Some(self.path.clone()),
            Kind::ApplySaved { plan_file, prefix } => journal_of_plan(&self.dir, prefix, plan_file),
            Kind::PlanSaved => None,
        };
        let Some(text) = path.and_then(|p| fs::read_to_string(p).ok()) else {
            return HashSet::new();
        };
        text.lines().filter_map(Entry::parse).collect()
    }

    /// Appends one line. Every process opens the file for appending and writes each line in
    /// one write, so the processes of one walk (one per provider configuration) never
    /// overwrite each other's lines, whichever creates the file.
    fn append(&self, line: &str) {
        self.pruned.call_once(|| prune(&self.dir, &self.path));
        let written = append_file(&self.path).and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::debug!(target: LOG_TARGET, path = %self.path.display(), error = %e, "could not write the run journal");
        }
    }
}

/// A `walk PID START` line: a process that planned for this run.
fn parse_signature(line: &str) -> Option<(u32, u64)> {
    let mut words = line.strip_prefix("walk ")?.split(' ');
    let pid = words.next()?.parse().ok()?;
    let start = words.next()?.parse().ok()?;
    Some((pid, start))
}

/// Opens the journal for appending, creating it readable by this user only.
fn append_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}

/// The newest journal in `dir` named `prefix…` that `plan_file` was written no earlier than:
/// the one of the plan that wrote the file.
fn journal_of_plan(dir: &Path, prefix: &str, plan_file: &Path) -> Option<PathBuf> {
    let modified = |m: std::io::Result<fs::Metadata>| m.and_then(|m| m.modified()).ok();
    let plan = modified(fs::metadata(plan_file))?;
    fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(prefix))
        })
        .filter_map(|e| Some((modified(e.metadata())?, e.path())))
        .filter(|(at, _)| *at <= plan)
        .max_by_key(|(at, _)| *at)
        .map(|(_, path)| path)
}

/// `file` made absolute against the starting process's working directory, with its folder
/// resolved (the file itself may not exist yet).
fn absolute_plan_file(cwd: Option<&Path>, file: &str) -> Option<PathBuf> {
    let path = Path::new(file);
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd?.join(path)
    };
    let name = path.file_name()?.to_owned();
    let folder = path.parent()?;
    let folder = fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    Some(folder.join(name))
}

/// The start of the journals' names for a saved plan: a digest of the plan file's absolute
/// path.
fn plan_prefix(plan_file: &Path) -> String {
    let digest = Sha256::digest(plan_file.as_os_str().as_encoded_bytes());
    format!("plan-{}-", &hex::encode(digest)[..32])
}

/// Removes journals older than [`KEEP_FOR`], except `keep`.
fn prune(dir: &Path, keep: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let Some(cutoff) = SystemTime::now().checked_sub(KEEP_FOR) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < cutoff);
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with("run-") || n.starts_with("plan-"));
        if old && ours && entry.path() != keep {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The directory journals live in: private to this user, or none.
fn private_dir() -> Option<PathBuf> {
    let uid = fs::metadata("/proc/self").ok()?.uid();
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(base) if base.is_absolute() => base.join("terraform-provider-zenlayer"),
        _ => std::env::temp_dir().join(format!("terraform-provider-zenlayer-{uid}")),
    };
    checked_dir(&dir, uid)
}

/// Creates `dir` (mode 0700) if needed, and accepts it only if it is a real directory that
/// `uid` owns and no one else may enter: whoever could write there could decide what the
/// apply walk believes.
fn checked_dir(dir: &Path, uid: u32) -> Option<PathBuf> {
    let _ = fs::DirBuilder::new().mode(0o700).create(dir);
    let meta = fs::symlink_metadata(dir).ok()?;
    let private = meta.is_dir() && meta.uid() == uid && meta.mode() & 0o077 == 0;
    if !private {
        tracing::debug!(target: LOG_TARGET, dir = %dir.display(), "run journal directory is not private; no journal");
    }
    private.then(|| dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn starter(pid: u32, start_ticks: u64, cwd: &Path) -> Starter {
        Starter {
            pid,
            start_ticks,
            args: Vec::new(),
            cwd: Some(cwd.to_path_buf()),
        }
    }

    fn replaces(nic: &str, instance: &str) -> Entry {
        Entry::Replaces {
            nic_id: nic.into(),
            instance_id: instance.into(),
        }
    }

    fn arrives(nic: &str, instance: &str) -> Entry {
        Entry::Arrives {
            nic_id: nic.into(),
            instance_id: instance.into(),
        }
    }

    /// Processes 100 and 101 (started at tick 1) still run; every other one has ended.
    fn running(pid: u32, start: u64) -> bool {
        matches!(pid, 100 | 101) && start == 1
    }

    fn open(dir: &Path, shape: &RunShape, starter: &Starter, pid: u32) -> Option<Journal> {
        Journal::open(dir, shape, starter, (pid, 1), running)
    }

    fn private_tempdir() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let uid = fs::metadata("/proc/self").expect("/proc").uid();
        let dir = checked_dir(&tmp.path().join("journals"), uid).expect("private dir");
        (tmp, dir)
    }

    #[test]
    fn in_terraform_apply_the_plan_walk_writes_and_the_apply_walk_reads() {
        let (tmp, dir) = private_tempdir();
        let run = starter(10, 555, tmp.path());
        // The plan walk's process 150 has ended when the apply walk's process 200 starts.
        let review = open(&dir, &RunShape::Apply, &run, 150).expect("journal");
        assert_eq!(review.role(), Role::Review);
        review.note(replaces("nic-1", "ins-1"));
        review.note(arrives("nic-2", "ins-2"));
        assert!(
            !review.says(&replaces("nic-1", "ins-1")),
            "a review walk only writes"
        );

        let apply = open(&dir, &RunShape::Apply, &run, 200).expect("journal");
        assert_eq!(apply.role(), Role::Final);
        assert!(apply.says(&replaces("nic-1", "ins-1")));
        assert!(apply.says(&arrives("nic-2", "ins-2")));
        assert!(!apply.says(&replaces("nic-2", "ins-2")));
        apply.note(arrives("nic-3", "ins-3"));
        let again = open(&dir, &RunShape::Apply, &run, 300).expect("journal");
        assert!(
            !again.says(&arrives("nic-3", "ins-3")),
            "the apply walk writes nothing"
        );
    }

    #[test]
    fn processes_of_one_walk_side_by_side_are_all_the_review_walk() {
        let (tmp, dir) = private_tempdir();
        let run = starter(10, 555, tmp.path());
        // One process per provider configuration (alias), both still running.
        let first = open(&dir, &RunShape::Apply, &run, 100).expect("journal");
        assert_eq!(first.role(), Role::Review);
        first.note(replaces("nic-1", "ins-1"));
        let second = open(&dir, &RunShape::Apply, &run, 101).expect("journal");
        assert_eq!(second.role(), Role::Review);
        second.note(arrives("nic-2", "ins-2"));
        // Both have ended when the apply walk starts; it reads what each wrote.
        let apply =
            Journal::open(&dir, &RunShape::Apply, &run, (200, 1), |_, _| false).expect("journal");
        assert_eq!(apply.role(), Role::Final);
        assert!(apply.says(&replaces("nic-1", "ins-1")) && apply.says(&arrives("nic-2", "ins-2")));
    }

    #[test]
    fn processes_writing_at_once_lose_no_line() {
        let (tmp, dir) = private_tempdir();
        let run = starter(10, 555, tmp.path());
        std::thread::scope(|scope| {
            for pid in 0..8u32 {
                let (dir, run) = (&dir, &run);
                scope.spawn(move || {
                    let journal = Journal::open(dir, &RunShape::Apply, run, (pid, 1), |_, _| true)
                        .expect("journal");
                    for n in 0..50 {
                        journal.note(arrives(&format!("nic-{pid}-{n}"), "ins-1"));
                    }
                });
            }
        });
        let apply =
            Journal::open(&dir, &RunShape::Apply, &run, (99, 1), |_, _| false).expect("journal");
        for pid in 0..8u32 {
            for n in 0..50 {
                let entry = arrives(&format!("nic-{pid}-{n}"), "ins-1");
                assert!(apply.says(&entry), "{entry:?} lost");
            }
        }
    }

    #[test]
    fn another_terraform_process_never_reads_this_runs_journal() {
        let (tmp, dir) = private_tempdir();
        let review =
            open(&dir, &RunShape::Apply, &starter(10, 555, tmp.path()), 100).expect("journal");
        review.note(replaces("nic-1", "ins-1"));
        // Same PID reused by a later Terraform: another start time, another run.
        let other =
            open(&dir, &RunShape::Apply, &starter(10, 999, tmp.path()), 200).expect("journal");
        assert_eq!(other.role(), Role::Review);
        assert!(!other.says(&replaces("nic-1", "ins-1")));
    }

    #[test]
    fn a_saved_plan_is_read_only_if_the_plan_file_was_written_after_the_journal() {
        let (tmp, dir) = private_tempdir();
        let plan_file = tmp.path().join("tf.plan");
        let saved = RunShape::PlanSaved("tf.plan".into());
        let review = open(&dir, &saved, &starter(10, 1, tmp.path()), 100).expect("journal");
        assert_eq!(review.role(), Role::Review);
        review.note(replaces("nic-1", "ins-1"));
        fs::write(&plan_file, b"plan").expect("plan file");

        let apply_shape = RunShape::ApplySaved(plan_file.display().to_string());
        // Another Terraform process, another working directory: the absolute path decides.
        let apply =
            |pid| open(&dir, &apply_shape, &starter(20, 2, Path::new("/")), pid).expect("journal");
        assert_eq!(apply(200).role(), Role::Final);
        assert!(apply(200).says(&replaces("nic-1", "ins-1")));

        // A later `plan -out` of the same file that failed: the journal is newer than the file.
        let old = SystemTime::now() - Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&plan_file)
            .and_then(|f| f.set_modified(old))
            .expect("backdate the plan file");
        assert!(!apply(300).says(&replaces("nic-1", "ins-1")));
    }

    #[test]
    fn every_process_of_a_saved_plans_walk_adds_to_its_journal() {
        let (tmp, dir) = private_tempdir();
        let saved = RunShape::PlanSaved("tf.plan".into());
        let run = starter(10, 1, tmp.path());
        open(&dir, &saved, &run, 100)
            .expect("journal")
            .note(replaces("nic-1", "ins-1"));
        open(&dir, &saved, &run, 101)
            .expect("journal")
            .note(arrives("nic-2", "ins-2"));
        fs::write(tmp.path().join("tf.plan"), b"plan").expect("plan file");
        let apply_shape = RunShape::ApplySaved("tf.plan".into());
        let apply = open(&dir, &apply_shape, &starter(12, 3, tmp.path()), 102).expect("journal");
        assert!(apply.says(&replaces("nic-1", "ins-1")) && apply.says(&arrives("nic-2", "ins-2")));
    }

    /// Sets a journal's modification time.
    fn modified_at(journal: &Journal, at: SystemTime) {
        File::options()
            .append(true)
            .open(&journal.path)
            .and_then(|f| f.set_modified(at))
            .expect("set the journal's modification time");
    }

    fn apply_of_saved_plan(dir: &Path, cwd: &Path) -> Journal {
        let shape = RunShape::ApplySaved("tf.plan".into());
        open(dir, &shape, &starter(12, 3, cwd), 102).expect("journal")
    }

    #[test]
    fn a_saved_plan_is_applied_with_the_journal_of_the_plan_that_wrote_it() {
        let (tmp, dir) = private_tempdir();
        let saved = RunShape::PlanSaved("tf.plan".into());
        let first = open(&dir, &saved, &starter(10, 1, tmp.path()), 100).expect("journal");
        first.note(replaces("nic-1", "ins-1"));
        modified_at(&first, SystemTime::now() - Duration::from_secs(60));
        let second = open(&dir, &saved, &starter(11, 2, tmp.path()), 101).expect("journal");
        second.note(arrives("nic-2", "ins-2"));
        modified_at(&second, SystemTime::now() - Duration::from_secs(30));
        fs::write(tmp.path().join("tf.plan"), b"plan").expect("the second plan saved");

        let apply = apply_of_saved_plan(&dir, tmp.path());
        assert!(apply.says(&arrives("nic-2", "ins-2")));
        assert!(
            !apply.says(&replaces("nic-1", "ins-1")),
            "the older plan's entry is not read"
        );

        // A third plan fails after writing its journal: the file is still the second plan's.
        let third = open(&dir, &saved, &starter(13, 4, tmp.path()), 103).expect("journal");
        third.note(replaces("nic-3", "ins-3"));
        // The failed plan wrote after the file.
        modified_at(&third, SystemTime::now() + Duration::from_secs(30));
        let apply = apply_of_saved_plan(&dir, tmp.path());
        assert!(apply.says(&arrives("nic-2", "ins-2")));
        assert!(!apply.says(&replaces("nic-3", "ins-3")));
    }

    #[test]
    fn commands_without_a_later_walk_have_no_journal() {
        let (tmp, dir) = private_tempdir();
        assert!(open(&dir, &RunShape::Other, &starter(1, 1, tmp.path()), 2).is_none());
    }

    #[test]
    fn a_directory_others_can_enter_or_a_symbolic_link_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let uid = fs::metadata("/proc/self").expect("/proc").uid();
        let open = tmp.path().join("open");
        fs::create_dir(&open).expect("dir");
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(checked_dir(&open, uid), None);
        let link = tmp.path().join("link");
        let real = tmp.path().join("real");
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&real)
            .expect("dir");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        assert_eq!(checked_dir(&link, uid), None);
        assert_eq!(checked_dir(&real, uid + 1), None, "owned by someone else");
        assert_eq!(checked_dir(&real, uid), Some(real));
    }

    #[test]
    fn entries_read_back_as_written_and_other_lines_are_ignored() {
        for entry in [replaces("nic-1", "ins-1"), arrives("nic-2", "ins-9")] {
            let line = entry.line();
            assert_eq!(Entry::parse(line.trim_end()), Some(entry));
        }
        for line in ["walk 12", "replaces nic-1", "arrives a b c", "", "run 1 2"] {
            assert_eq!(Entry::parse(line), None, "{line}");
        }
    }
}
