//! Moving a store's dates: the bundled sample data is dated, and the demo moves it so that its
//! newest complaint arrived the day before it is shown.

use super::{Db, Result};

impl Db {
    /// Moves every complaint, response and message forward by whole days so that the newest
    /// complaint arrived a day before `now` (never backward). Returns the shift in seconds.
    pub fn move_dates_up_to(&mut self, now: i64) -> Result<i64> {
        let newest: i64 = self.conn.query_row(
            "SELECT coalesce(max(received_at), 0) FROM complaints",
            [],
            |r| r.get(0),
        )?;
        let shift = ((now - 86_400 - newest) / 86_400).max(0) * 86_400;
        self.conn.execute(
            "UPDATE complaints SET received_at = received_at + ?1,
                 responded_at = responded_at + ?1 WHERE 1",
            [shift],
        )?;
        self.conn.execute(
            "UPDATE messages SET at = at + ?1 WHERE at IS NOT NULL",
            [shift],
        )?;
        Ok(shift)
    }
}
