//! Waiting for files to change without polling them: inotify on their directories, so a
//! follower wakes within a millisecond of the write. Where inotify is not to be had (another
//! kernel, no watches left), a plain sleep of the same timeout keeps the old polling.

use std::os::fd::OwnedFd;
use std::path::Path;
use std::time::Duration;

use rustix::fs::inotify::{self, CreateFlags, WatchFlags};

/// What to wake for.
#[derive(Debug, Clone, Copy)]
pub enum On {
    /// Data written to a file in the directory (a log, a journal), or a file moved in.
    Writes,
    /// A file replaced in the directory (a sidecar, written to a temp file and renamed).
    Replacements,
}

/// Watches on some directories.
#[derive(Debug)]
pub struct Watch {
    fd: Option<OwnedFd>,
}

impl Watch {
    /// Watches `dirs` for `on`; a directory that cannot be watched is left to the timeout.
    pub fn dirs<'a>(dirs: impl IntoIterator<Item = &'a Path>, on: On) -> Watch {
        let flags = match on {
            On::Writes => WatchFlags::MODIFY | WatchFlags::CREATE | WatchFlags::MOVED_TO,
            On::Replacements => WatchFlags::MOVED_TO | WatchFlags::CREATE | WatchFlags::DELETE_SELF,
        };
        let fd = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK).ok();
        let fd = fd.filter(|fd| {
            let added = dirs.into_iter().filter(|dir| inotify::add_watch(fd, *dir, flags).is_ok());
            added.count() > 0
        });
        Watch { fd }
    }

    /// Returns once something changed, or after `timeout`.
    pub fn wait(&self, timeout: Duration) {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let Some(fd) = &self.fd else {
            std::thread::sleep(timeout);
            return;
        };
        let mut fds = [PollFd::new(fd, PollFlags::IN)];
        let timeout = Timespec::try_from(timeout).ok();
        if matches!(poll(&mut fds, timeout.as_ref()), Ok(n) if n > 0) {
            // The events say only that something changed: drain them all.
            let mut buf = [0u8; 4096];
            while matches!(rustix::io::read(fd, &mut buf), Ok(n) if n > 0) {}
        }
    }
}

/// Whether nobody reads this process's standard output any more (the pipe's reader ended,
/// or ssh's channel to it closed), so a follower that prints only now and then stops
/// instead of waiting for its next line to fail.
pub fn reader_gone() -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let stdout = std::io::stdout();
    let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
    let now = Timespec { tv_sec: 0, tv_nsec: 0 };
    poll(&mut fds, Some(&now)).is_ok_and(|n| n > 0)
        && fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP)
}
