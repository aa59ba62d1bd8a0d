//! Text for people, from `domain` figures only: the review pack as Markdown, HTML (with inline
//! SVG charts) and CSV, the letters to customers, and the moments and numbers they print.
//! Nothing here reads the store or the clock.

pub mod csv;
pub mod escape;
pub mod html;
pub mod letter;
pub mod markdown;
pub mod number;
pub mod rows;
pub mod svg;
pub mod time;
