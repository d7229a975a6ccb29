//! [`ScanTarget`]: what one scan looks at, carried from the command line to every probe.

use std::sync::Arc;

use super::engine::EngineSource;
use super::root::{Limits, Root};
use super::trust::TrustedCas;

/// The scanned system: its file system (a [`Root`], with its walk cache and limits) and, when the
/// scan has one, a Docker Engine source (live API or snapshot).
#[derive(Debug)]
pub struct ScanTarget {
    root: Root,
    engine: Option<Arc<dyn EngineSource>>,
    trusted_cas: Option<Arc<TrustedCas>>,
}

impl ScanTarget {
    pub fn new(root: Root) -> ScanTarget {
        ScanTarget { root, engine: None, trusted_cas: None }
    }

    /// A target whose file system is the directory `root` (`/` for this host).
    pub fn open(root: impl AsRef<std::path::Path>) -> Result<ScanTarget, super::HostError> {
        Ok(ScanTarget::new(Root::new(root)?))
    }

    pub fn with_engine(mut self, engine: Arc<dyn EngineSource>) -> ScanTarget {
        self.engine = Some(engine);
        self
    }

    /// The SSP's trusted certificate authorities (`--trusted-ca`), for the certificate chain checks.
    pub fn with_trusted_cas(mut self, cas: TrustedCas) -> ScanTarget {
        self.trusted_cas = Some(Arc::new(cas));
        self
    }

    pub fn trusted_cas(&self) -> Option<&TrustedCas> {
        self.trusted_cas.as_deref()
    }

    pub fn root(&self) -> &Root {
        &self.root
    }

    pub fn engine(&self) -> Option<&dyn EngineSource> {
        self.engine.as_deref()
    }

    pub fn limits(&self) -> Limits {
        self.root.limits()
    }

    /// Is the root the running system (`/`), so that its kernel, processes and interfaces are
    /// the target's own?
    pub fn is_running_system(&self) -> bool {
        self.root.is_host_root()
    }
}
