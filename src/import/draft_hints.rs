//! Words in column names that point to a field, for drafting a profile. Matched as whole
//! words of the name (see `Col::named`), so `id` finds "Ticket ID" and not "Paid".

pub const RECEIVED: &[&str] = &[
    "created",
    "received",
    "submitted",
    "opened",
    "logged",
    "reported",
    "creation",
    "filed",
];
pub const RESPONDED: &[&str] = &["replied", "responded", "response", "answered", "reply"];
pub const ID: &[&str] = &["id", "key", "uuid", "guid"];
pub const ID_KIND: &[&str] = &[
    "ticket",
    "complaint",
    "case",
    "reference",
    "ref",
    "incident",
    "request",
    "number",
    "no",
];
pub const PERSON: &[&str] = &[
    "caller",
    "customer",
    "user",
    "author",
    "requester",
    "phone",
    "email",
    "mail",
    "zip",
];
pub const COMPLAINT: &[&str] = &[
    "complaint",
    "description",
    "narrative",
    "message",
    "text",
    "body",
    "comment",
    "comments",
    "details",
    "detail",
    "problem",
    "feedback",
    "verbatim",
    "content",
];
pub const RESPONSE: &[&str] = &["response", "reply", "answer", "resolution", "replied"];
pub const CONTACT: &[&str] = &[
    "email",
    "e mail",
    "mail",
    "contact",
    "phone",
    "tel",
    "telephone",
    "mobile",
    "caller",
];
pub const RECOMMEND: &[&str] = &["recommend", "nps", "likelihood", "likely"];
pub const SCORE: &[&str] = &["score", "rating"];
pub const WISH: &[&str] = &[
    "contact",
    "call",
    "callback",
    "follow",
    "reach",
    "contacted",
];
pub const DIVISION: &[&str] = &[
    "division",
    "department",
    "dept",
    "group",
    "team",
    "queue",
    "unit",
    "branch",
    "office",
];
pub const DIVISION_WEAK: &[&str] = &[
    "product", "category", "type", "company", "brand", "business", "service", "line",
];
pub const CHANNEL: &[&str] = &["channel", "method", "via", "medium", "source", "origin"];
pub const SUBJECT: &[&str] = &["subject", "title", "summary", "topic", "issue", "reason"];
pub const PRODUCT: &[&str] = &["product", "service", "plan", "model", "sku"];
pub const CUSTOMER: &[&str] = &[
    "customer",
    "requester",
    "client",
    "consumer",
    "name",
    "author",
    "user",
    "caller",
    "from",
];
pub const RESPONDER: &[&str] = &[
    "assignee",
    "agent",
    "responder",
    "owner",
    "handler",
    "staff",
    "representative",
    "rep",
];
