package dev.switchboard.common;

import java.util.List;

/** A JSON list envelope, {"items": [...]}, so lists can gain fields (paging) without breaking clients. */
public record Items<T>(List<T> items) {}
