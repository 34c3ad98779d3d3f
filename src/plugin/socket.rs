//! The unix socket Terraform connects to, inside a private directory that is removed on exit.

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use tokio::net::UnixListener;

use super::error::PluginError;

/// A 0700 directory holding `plugin.sock`; dropping it removes both.
///
/// The directory's mode is what keeps other local users off the socket (a socket's own mode
/// is not honoured everywhere), so it is set explicitly instead of trusting the umask.
#[derive(Debug)]
pub(crate) struct SocketDir {
    dir: TempDir,
    socket: PathBuf,
}

impl SocketDir {
    /// Creates the directory under `base` (`PLUGIN_UNIX_SOCKET_DIR`), else under the temp dir.
    /// A `base` that another user could redirect or rearrange is refused (see `unsafe_base`).
    pub(crate) fn create(base: Option<&Path>) -> Result<Self, PluginError> {
        if let Some(base) = base
            && let Some(reason) = unsafe_base(base)
        {
            return Err(PluginError::UnsafeSocketDir {
                dir: base.to_path_buf(),
                reason,
            });
        }
        let base = base.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let dir = tempfile::Builder::new()
            .prefix("zenlayer-")
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in(&base)
            .map_err(|source| PluginError::SocketDir { dir: base, source })?;
        let socket = dir.path().join("plugin.sock");
        Ok(SocketDir { dir, socket })
    }

    /// Where Terraform connects.
    pub(crate) fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// Listens on the socket; needs a running tokio runtime.
    pub(crate) fn bind(&self) -> Result<UnixListener, PluginError> {
        UnixListener::bind(&self.socket).map_err(|source| PluginError::Bind {
            path: self.socket.clone(),
            source,
        })
    }

    /// Removes the directory now, reporting a failure instead of ignoring it as `Drop` must.
    pub(crate) fn remove(self) -> std::io::Result<()> {
        self.dir.close()
    }
}

/// Why a `PLUGIN_UNIX_SOCKET_DIR` is unsafe, if it is: a symbolic link (whoever can change
/// it decides where the socket goes), or a directory every user may write to without the
/// sticky bit (any of them could rename the private directory and put their own in its place
/// before the socket is bound). A missing directory is left to the creation's own error.
fn unsafe_base(base: &Path) -> Option<&'static str> {
    let meta = std::fs::symlink_metadata(base).ok()?;
    if meta.file_type().is_symlink() {
        return Some(
            "it is a symbolic link, which could be pointed elsewhere; give the directory it \
             points to",
        );
    }
    let mode = meta.permissions().mode();
    if meta.is_dir() && mode & 0o002 != 0 && mode & 0o1000 == 0 {
        return Some(
            "every user may write to it and it lacks the sticky bit, so another user could \
             replace the provider's private directory in it",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn socket_dir_is_private_and_removed_with_its_socket() {
        let base = tempfile::tempdir().unwrap();
        let dir = SocketDir::create(Some(base.path())).unwrap();
        let parent = dir.socket_path().parent().unwrap().to_owned();
        assert!(parent.starts_with(base.path()));
        let mode = std::fs::metadata(&parent).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);

        let _listener = dir.bind().unwrap();
        assert!(dir.socket_path().exists());
        dir.remove().unwrap();
        assert!(!parent.exists());
    }

    #[test]
    fn a_missing_base_dir_is_a_clear_error() {
        let err = SocketDir::create(Some(Path::new("/nonexistent/tpz"))).unwrap_err();
        assert!(err.to_string().contains("PLUGIN_UNIX_SOCKET_DIR"), "{err}");
    }

    #[test]
    fn a_symlinked_or_world_writable_base_dir_is_refused_and_a_sticky_one_is_not() {
        let outer = tempfile::tempdir().unwrap();
        let real = outer.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = outer.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = SocketDir::create(Some(&link)).unwrap_err().to_string();
        assert!(
            err.contains("PLUGIN_UNIX_SOCKET_DIR") && err.contains("symbolic link"),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0, "nothing made");

        std::fs::set_permissions(&real, Permissions::from_mode(0o777)).unwrap();
        let err = SocketDir::create(Some(&real)).unwrap_err().to_string();
        assert!(err.contains("sticky bit"), "{err}");

        // /tmp's own shape: world-writable with the sticky bit.
        std::fs::set_permissions(&real, Permissions::from_mode(0o1777)).unwrap();
        let dir = SocketDir::create(Some(&real)).unwrap();
        dir.remove().unwrap();
    }

    #[tokio::test]
    async fn an_overlong_socket_path_is_a_clear_error() {
        let base = tempfile::tempdir().unwrap();
        let deep = base.path().join("d".repeat(120));
        std::fs::create_dir(&deep).unwrap();
        let dir = SocketDir::create(Some(&deep)).unwrap();
        let err = dir.bind().unwrap_err();
        assert!(err.to_string().contains("shorter directory"), "{err}");
    }
}
