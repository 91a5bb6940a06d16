//! [`Mode`]: whether an operation returns its value (sync connections) or a future of it
//! (async connections), and [`Output`], what an operation returns on a database.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

use crate::db::Db;

/// A `Send` future boxed: what an operation returns on an async connection.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an operation on the database `D` returns: `T` on a sync connection
/// ([`SyncMode`]), a `Send` future of `T` on an async one ([`AsyncMode`]).
///
/// Generic code of your own over sync databases names the mode, so that the operations'
/// values are values:
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// use contenttypes::{Db, SyncMode};
///
/// fn tag_count(db: &mut impl Db<Mode = SyncMode>) -> i64 {
///     Tag::count(db).unwrap_or(0)
/// }
/// # fn main() {
/// # let mut conn = connection();
/// assert_eq!(tag_count(&mut conn), 0);
/// # }
/// ```
pub type Output<'a, D, T> = <<D as Db>::Mode as Mode>::Output<'a, T>;

/// Whether operations return values or futures.
pub trait Mode: 'static {
    /// What an operation returning `T` returns.
    type Output<'a, T: Send + 'a>;

    /// What an operation returns when its value is known without a statement (a cached
    /// content type): the value itself on a sync connection, with no future polled.
    #[doc(hidden)]
    fn ready<'a, T: Send + 'a>(value: T) -> Self::Output<'a, T>;
}

/// Sync connections: an operation runs to completion when called and returns its value.
#[derive(Debug)]
pub enum SyncMode {}

impl Mode for SyncMode {
    type Output<'a, T: Send + 'a> = T;

    #[inline]
    fn ready<'a, T: Send + 'a>(value: T) -> T {
        value
    }
}

/// Async connections: an operation returns a `Send` future of its value, to `.await`.
#[derive(Debug)]
pub enum AsyncMode {}

impl Mode for AsyncMode {
    type Output<'a, T: Send + 'a> = BoxFuture<'a, T>;

    fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
        Box::pin(std::future::ready(value))
    }
}

/// Runs `op` to completion on this thread. An operation over a sync connection is ready at
/// its first poll (its statements run when called), so that is all it costs; a future that
/// waits is polled again each time it wakes this thread.
pub fn block_on<F: Future>(op: F) -> F::Output {
    let mut op = pin!(op);
    if let Poll::Ready(value) = op.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        return value;
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match op.as_mut().poll(&mut cx) {
            Poll::Ready(value) => return value,
            Poll::Pending => std::thread::park(),
        }
    }
}

/// Wakes the thread [`block_on`] parked.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}
