// Server problems in the user's words: by code, else generically by status; never the server's English
// detail in Vietnamese.
import { afterEach, describe, expect, it } from "vitest";
import { lang } from "../src/lib/i18n";
import { fieldTexts, problemText } from "../src/lib/problems";

afterEach(() => lang.set("vi"));

describe("problemText", () => {
  it("shows the app's own Vietnamese text for a known code", () => {
    expect(problemText({ status: 422, code: "household.code_taken", detail: "code 'X' is already used in this village" })).toBe(
      "Mã hộ này đã có trong thôn. Vui lòng dùng mã khác.",
    );
    expect(problemText({ status: 412, code: "version_mismatch", detail: "stale" })).toBe("Dữ liệu vừa được người khác sửa. Vui lòng tải lại.");
  });

  it("reads the code of a lone field error", () => {
    const p = { status: 422, code: "validation", errors: [{ loc: ["body", "adults_count"], msg: "adults_count (4) cannot exceed members_count (3)", code: "household.adults_exceed_members" }] };
    expect(problemText({ ...p, code: undefined })).toBe("Không được lớn hơn số nhân khẩu.");
    expect(fieldTexts(p as never)).toEqual({ adults_count: "Không được lớn hơn số nhân khẩu." });
  });

  it("falls back to a generic Vietnamese text by status, never the English detail", () => {
    const english = { status: 422, detail: "code 'E2E-001' is already used in this village", errors: [{ loc: ["body", "code"], msg: "code 'E2E-001' is already used in this village" }] };
    expect(problemText(english)).toBe("Thông tin chưa hợp lệ, vui lòng kiểm tra lại.");
    expect(fieldTexts(english as never)).toEqual({ code: "Giá trị không hợp lệ." });
    expect(problemText({ status: 403, code: "some_new_code", detail: "Your role does not allow x" })).toBe("Tài khoản của bạn không có quyền làm việc này.");
    expect(problemText({ status: 503, detail: "Service unavailable" })).toBe("Máy chủ đang gặp sự cố, vui lòng thử lại sau.");
    expect(problemText(new TypeError("Failed to fetch"))).toBe("Không có kết nối mạng. Vui lòng thử lại khi có mạng.");
  });

  it("in English, the server's own words are fine when the code is unknown", async () => {
    const { setLang } = await import("../src/lib/i18n");
    (globalThis as { document?: unknown }).document ??= { documentElement: {} };
    (globalThis as { localStorage?: unknown }).localStorage ??= { setItem() {}, getItem: () => null };
    await setLang("en");
    expect(problemText({ status: 422, detail: "code 'X' is already used in this village" })).toBe("code 'X' is already used in this village");
    expect(problemText({ status: 422, code: "household.code_taken" })).toBe("This household code is already used in the village.");
  });
});
