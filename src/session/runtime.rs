//! The process's one async runtime, so SDK clients and their pooled connections outlive each call.

use std::future::Future;
use std::sync::OnceLock;

use super::Failure;

/// Runs a future to completion on the process's one runtime (made on first use).
pub fn block_on<F: Future>(future: F) -> Result<F::Output, Failure> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    });
    match runtime {
        Ok(runtime) => Ok(runtime.block_on(future)),
        Err(error) => Err(Failure::failed(
            "runtime",
            format!("cannot start the async runtime: {error}"),
        )),
    }
}
