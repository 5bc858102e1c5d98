import { describe, expect, it } from "vitest";
import { fold, householdSearchText, matchesQuery } from "../src/lib/text";

describe("fold: the server's accent-insensitive rule", () => {
  it("lower-cases and strips Vietnamese diacritics", () => {
    expect(fold("Nguyễn Văn Đức")).toBe("nguyen van duc");
    expect(fold("TRẦN THỊ BÌNH")).toBe("tran thi binh");
    expect(fold("Phạm Ngọc Hồi")).toBe("pham ngoc hoi");
  });

  it("maps đ and Đ to d (they do not decompose)", () => {
    expect(fold("Đặng đình Đông")).toBe("dang dinh dong");
  });

  it("collapses and trims whitespace like str.split()", () => {
    expect(fold("  Lê \t  Thị\nHoa  ")).toBe("le thi hoa");
    expect(fold("   ")).toBe("");
  });

  it("treats composed and decomposed input alike", () => {
    const composed = "Hòa".normalize("NFC");
    const decomposed = "Hòa".normalize("NFD");
    expect(composed).not.toBe(decomposed);
    expect(fold(composed)).toBe("hoa");
    expect(fold(decomposed)).toBe("hoa");
    expect(fold("Hoà")).toBe("hoa"); // the old-style tone placement
  });
});

describe("household search", () => {
  const h = { head_name: "Nguyễn Thị Ánh", code: "NH-Đ01", phone: "+84 912.345-678" };

  it("indexes the folded name, the folded code and the phone digits", () => {
    expect(householdSearchText(h)).toBe("nguyen thi anh nh-d01 84912345678");
  });

  it("finds by a name typed without diacritics, a code, or phone digits", () => {
    const text = householdSearchText(h);
    expect(matchesQuery(text, "nguyen thi anh")).toBe(true);
    expect(matchesQuery(text, "ANH")).toBe(true);
    expect(matchesQuery(text, "nh-d01")).toBe(true);
    expect(matchesQuery(text, "912345")).toBe(true);
    expect(matchesQuery(text, "")).toBe(true);
    expect(matchesQuery(text, "tran")).toBe(false);
  });
});
