//! `cxs merge`: bring a worktree session's branch into a branch of its repository, or change
//! nothing at all.

use anyhow::{Context, Result, bail};

use crate::cli::MergeArgs;
use crate::env::Env;
use crate::git::Git;
use crate::worktree;

/// Merges (or squashes, or rebases and fast-forwards) the session's branch into `--into`,
/// after every check that could stop it half-way: the agent has stopped, its work is
/// committed, the target checkout is clean, and nothing conflicts.
pub fn run(args: &MergeArgs) -> Result<()> {
    let env = Env::load()?;
    let session = env.resolve(&args.selector)?;
    let id = &session.id;
    let sidecar =
        session.sidecar.as_ref().map_err(|why| anyhow::anyhow!("session '{id}': {why}"))?;
    let tree = worktree::of(id, sidecar)?;
    let git = Git::find()?;
    if session.is_running() && !args.force {
        bail!(
            "session '{id}' is still running: wait for it (`cxs wait {id}`), or pass --force; nothing merged"
        );
    }
    let into = match &args.into {
        Some(branch) => branch.clone(),
        None => git.current_branch(&tree.repo)?.with_context(|| {
            format!(
                "{} has no branch checked out: name one with --into; nothing merged",
                tree.repo.display()
            )
        })?,
    };
    let Some(target) = git.checkout_of(&tree.repo, &into)? else {
        bail!(
            "branch '{into}' is not checked out anywhere: check it out (e.g. in {}) first; nothing merged",
            tree.repo.display()
        );
    };
    let dirty = git.changed_tracked(&target)?;
    if !dirty.is_empty() {
        bail!(
            "{} has uncommitted changes ({}): commit or stash them first; nothing merged",
            target.display(),
            dirty.join(", ")
        );
    }
    let uncommitted = git.uncommitted(tree)?;
    let committed = match (&args.commit, uncommitted.is_empty()) {
        (_, true) => false,
        (Some(message), false) => {
            git.read(&tree.path, ["add", "--all"])?;
            if let Err(err) = git.read(&tree.path, ["commit", "--quiet", "-m", message]) {
                // What `add` staged goes back to how the agent left it.
                let _ = git.read(&tree.path, ["reset", "--quiet"]);
                return Err(err.context("cannot commit the agent's work; nothing changed"));
            }
            true
        }
        (None, false) => bail!(
            "session '{id}' has uncommitted changes ({}): commit them with --commit MSG; nothing merged",
            uncommitted.join(", ")
        ),
    };
    let merged = merge(&git, tree, &target, &into, args, &session);
    if merged.is_err() && committed {
        // Refused after committing: the agent's work becomes uncommitted again, as it was.
        let _ = git.read(&tree.path, ["reset", "--quiet", "--mixed", "HEAD~1"]);
    }
    let (commits, branch) = (merged?, &tree.branch);
    let how = if args.squash {
        "squashed"
    } else if args.rebase {
        "rebased"
    } else {
        "merged"
    };
    let commits = commits.trim();
    let plural = if commits == "1" { "" } else { "s" };
    println!("{how} '{branch}' into '{into}' ({commits} commit{plural})");
    Ok(())
}

/// Checks that there is something to merge and that it merges cleanly, then merges;
/// returns how many commits it brought. Whatever fails leaves the target as it was.
fn merge(
    git: &Git,
    tree: &crate::git::Worktree,
    target: &std::path::Path,
    into: &str,
    args: &MergeArgs,
    session: &crate::session::Session,
) -> Result<String> {
    let branch = &tree.branch;
    let range = format!("{into}..{branch}");
    let commits = git.read(&tree.repo, ["rev-list", "--count", &range, "--"])?;
    if commits.trim() == "0" {
        bail!("nothing to merge: '{into}' already has every commit of '{branch}'");
    }
    let conflicts = git.conflicts(&tree.repo, into, branch)?;
    if !conflicts.is_empty() {
        bail!(
            "merging '{branch}' into '{into}' conflicts in {}: resolve it in the session's worktree ({}) first; nothing changed",
            conflicts.join(", "),
            tree.path.display()
        );
    }
    if args.rebase {
        if let Err(err) = git.read(&tree.path, ["rebase", "--quiet", into]) {
            let _ = git.read(&tree.path, ["rebase", "--abort"]);
            return Err(err.context("the rebase stopped and was undone; nothing changed"));
        }
        git.read(target, ["merge", "--quiet", "--ff-only", branch])?;
    } else if args.squash {
        if let Err(err) = git.read(target, ["merge", "--quiet", "--squash", branch]) {
            let _ = git.read(target, ["reset", "--quiet", "--merge"]);
            return Err(err.context("the merge stopped and was undone; nothing changed"));
        }
        if let Err(err) = git.read(target, ["commit", "--quiet", "--no-edit"]) {
            let _ = git.read(target, ["reset", "--quiet", "--merge"]);
            return Err(
                err.context("the squash could not be committed and was undone; nothing changed")
            );
        }
        // No branch holds the session's commits now, but the squash does: say so for delete
        // (merged either way: a record that cannot be written is only a warning).
        let noted = git.tip(tree).and_then(|tip| {
            session.dir.update(|s| {
                if let Some(tree) = &mut s.worktree {
                    tree.squashed = Some(tip);
                }
            })
        });
        if let Err(err) = noted {
            eprintln!(
                "warning: `delete` will not know the squash holds the branch's commits: {err:#}"
            );
        }
    } else if let Err(err) = git.read(target, ["merge", "--quiet", "--no-edit", branch]) {
        let _ = git.read(target, ["merge", "--abort"]);
        return Err(err.context("the merge stopped and was undone; nothing changed"));
    }
    Ok(commits.trim().to_owned())
}
