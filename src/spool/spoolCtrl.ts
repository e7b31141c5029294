/** Slots of the Int32Array shared between the capture thread and the spool worker. */
export const enum Ctrl {
  /** 1 once the database is open and migrated, -1 if that failed. */
  Ready = 0,
  /** Sequence number of the last batch committed. */
  Acked = 1,
  /** Records committed in all (wraps past 2^31; used for deltas). */
  AckedRecords = 2,
  /** 1 while the head batch keeps failing (disk full...). */
  Error = 3,
  /** Failed write attempts. */
  Retries = 4,
  /** 1 after the worker closed the database. */
  Closed = 5,
  /** Tunnels committed in all. */
  AckedTunnels = 6,
  /** Length in bytes of the last write error's message (UTF-8, in the shared error buffer). */
  ErrorLen = 7,
  Size = 8,
}

/** Bytes of the shared buffer holding the last write error's message. */
export const ERROR_TEXT_BYTES = 512;
