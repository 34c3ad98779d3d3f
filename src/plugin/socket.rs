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
    pub(crate) fn create(base: Option<&Path>) -> Result<Self, PluginError> {
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
