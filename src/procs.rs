//! The processes a session started, found and ended without ever signalling a stranger.
//!
//! tmux's SIGHUP ends an agent that behaves; one that ignores it, or children that moved to
//! their own process group or session, would outlive `delete`. So the processes are found
//! from `/proc` (descendants of the pane's process, members of its session, and anything
//! carrying the session's `CXS_SESSION_DIR` in its environment) and held by pidfd, which
//! names one process for good: a recycled pid can never receive the signal.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::process::{Pid, PidfdFlags, Signal};

use crate::hidden::{self, MARKER_VAR};

/// A live process, held by pidfd.
#[derive(Debug)]
pub struct Proc {
    fd: OwnedFd,
    pid: u32,
    /// When it started (clock ticks after boot): with the pid, names it for good.
    start: u64,
}

impl Proc {
    /// Its pid and start time, to find it again with [`reopen`] from another process.
    pub fn id(&self) -> (u32, u64) {
        (self.pid, self.start)
    }
}

/// The process `pid`, if it is still the one that started at `start`.
pub fn reopen(pid: u32, start: u64) -> Option<Proc> {
    let fd = pidfd_open(pid)?;
    // Checked after the open: the pidfd then holds that very process.
    stat(pid).is_some_and(|now| now.start == start).then_some(Proc { fd, pid, start })
}

/// One session to search for: the pane's process and the session's directory.
#[derive(Debug)]
pub struct Tree<'a> {
    /// The pane's first process (cxs's runner), if tmux still has it.
    pub root: Option<u32>,
    /// The session's directory, as the agents' `CXS_SESSION_DIR` holds it.
    pub dir: &'a OsStr,
}

/// Every process that belongs to one of `trees`, excluding this one, with the position in
/// `trees` of the one it belongs to.
pub fn find(trees: &[Tree<'_>]) -> Vec<(usize, Proc)> {
    let table = scan();
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut by_session: HashMap<u32, Vec<u32>> = HashMap::new();
    for (pid, info) in &table {
        children.entry(info.ppid).or_default().push(*pid);
        by_session.entry(info.sid).or_default().push(*pid);
    }
    let mut chosen: Vec<(u32, usize)> = Vec::new();
    for (i, tree) in trees.iter().enumerate() {
        // The pane's pid came from tmux a moment ago: it must still be that session's
        // runner, not a process that got the pid since.
        if let Some(root) = tree.root.filter(|pid| runs_in(*pid, tree.dir)) {
            let mut stack = vec![root];
            while let Some(pid) = stack.pop() {
                chosen.push((pid, i));
                stack.extend(children.get(&pid).into_iter().flatten());
            }
            chosen.extend(by_session.get(&root).into_iter().flatten().map(|pid| (*pid, i)));
        }
    }
    chosen.sort_unstable();
    chosen.dedup_by_key(|(pid, _)| *pid);
    // Each environment is read once, whatever the number of sessions, and only for the
    // processes not found already.
    let dirs: Vec<&OsStr> = trees.iter().map(|t| t.dir).collect();
    let found = |pid: &u32| chosen.binary_search_by_key(pid, |(p, _)| *p).is_ok();
    let marked: Vec<(u32, usize)> = table
        .keys()
        .filter(|pid| !found(pid))
        .filter_map(|pid| Some((*pid, marker_of(*pid, &dirs)?)))
        .collect();
    chosen.extend(marked);
    let me = std::process::id();
    chosen
        .into_iter()
        .filter(|(pid, _)| *pid != me)
        .filter_map(|(pid, tree)| {
            let fd = pidfd_open(pid)?;
            // The pid may have been reused between the scan and the open: check it is the
            // process the scan saw.
            let seen = table.get(&pid)?.start;
            let same = stat(pid).is_some_and(|now| now.start == seen);
            same.then_some((tree, Proc { fd, pid, start: seen }))
        })
        .collect()
}

/// Sends SIGTERM, waits up to `grace` for the processes to end, then SIGKILLs the rest.
pub fn terminate(procs: &[Proc], grace: Duration) {
    let alive = |p: &&Proc| !exited(p);
    for proc in procs.iter().filter(alive) {
        signal(proc, Signal::TERM);
        // Stopped processes only act on SIGTERM once continued.
        signal(proc, Signal::CONT);
    }
    let deadline = Instant::now() + grace;
    while procs.iter().any(|p| !exited(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    for proc in procs.iter().filter(alive) {
        signal(proc, Signal::KILL);
    }
}

#[derive(Debug, Clone, Copy)]
struct Stat {
    ppid: u32,
    sid: u32,
    start: u64,
}

fn scan() -> HashMap<u32, Stat> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, stat(pid)?)))
        .collect()
}

/// Parent, session and start time from `/proc/PID/stat` (the command name may hold spaces
/// and parentheses, so fields are counted from the last `)`).
fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    // After the name: state ppid pgrp session ... starttime is the 20th.
    Some(Stat {
        ppid: fields.get(1)?.parse().ok()?,
        sid: fields.get(3)?.parse().ok()?,
        start: fields.get(19)?.parse().ok()?,
    })
}

/// Whether `pid` is alive and one of the session in `dir`'s processes: its marker says so,
/// so a recycled pid is not taken for the agent (and a zombie's environment reads empty).
pub fn belongs_to(pid: u32, dir: &OsStr) -> bool {
    marker_of(pid, &[dir]).is_some()
}

/// Which of `dirs` the process carries as its `CXS_SESSION_DIR`, if any.
fn marker_of(pid: u32, dirs: &[&OsStr]) -> Option<usize> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    let prefix = format!("{MARKER_VAR}=");
    environ
        .split(|b| *b == 0)
        .filter_map(|var| var.strip_prefix(prefix.as_bytes()))
        .find_map(|value| dirs.iter().position(|dir| dir.as_bytes() == value))
}

/// Whether `pid` is the runner of the session in `dir` (`cxs __run DIR`).
pub fn runs_in(pid: u32, dir: &OsStr) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    hidden::is_runner(&args, dir)
}

fn pidfd_open(pid: u32) -> Option<OwnedFd> {
    let pid = Pid::from_raw(i32::try_from(pid).ok()?)?;
    rustix::process::pidfd_open(pid, PidfdFlags::empty()).ok()
}

fn signal(proc: &Proc, sig: Signal) {
    // One that ended meanwhile needs no signal.
    let _ = rustix::process::pidfd_send_signal(&proc.fd, sig);
}

/// Whether the process has ended: its pidfd turns readable then (even before it is reaped).
fn exited(proc: &Proc) -> bool {
    let mut fds = [PollFd::new(&proc.fd, PollFlags::IN)];
    rustix::event::poll(&mut fds, Some(&Timespec { tv_sec: 0, tv_nsec: 0 })).is_ok_and(|n| n == 1)
}
