//! Certificates (requirements 5 and 7): `anchor` a file of records, `verify` a record online
//! or offline, `certificate show|revoke|supersede`, `decrypt` an anchored record, and the
//! institution's `keys`.

pub mod anchor;
pub mod keys;
pub mod manage;
pub mod verify;
