// Issue 20 in the app: only web links open from a guide, and a household that stops being a business
// loses its OCOP products and e-commerce listings with it (the rule of app/households/rules.py).
import { describe, expect, it } from "vitest";
import { householdRules, withDependents } from "../src/lib/household";
import { webLink } from "../src/lib/links";

describe("webLink", () => {
  it("keeps http and https links", () => {
    expect(webLink("https://binhdanhocvuso.gov.vn/khoa-hoc/1?bai=2#muc")).toBe("https://binhdanhocvuso.gov.vn/khoa-hoc/1?bai=2#muc");
    expect(webLink("http://ngochoi.hanoi.gov.vn/tai-lieu.pdf")).toBe("http://ngochoi.hanoi.gov.vn/tai-lieu.pdf");
  });
  it("refuses every other scheme, credentials and spaces", () => {
    for (const url of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      " javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "ftp://x.vn/a",
      "vbscript:msgbox(1)",
      "https://binhdanhocvuso.gov.vn@lua-dao.example/",
      "https://x.vn/khoa hoc",
      "//x.vn/a",
      "x.vn",
      "",
    ])
      expect(webLink(url), url).toBeNull();
  });
});

describe("business products", () => {
  it("need a business household", () => {
    expect(householdRules({ is_business: true, ocop_products: 2, ecommerce_listings: 3 })).toEqual([]);
    expect(householdRules({ ocop_products: 1 })).toEqual([{ field: "ocop_products", code: "household.products_not_business" }]);
  });
  it("go when the household stops being a business, and the user is told", () => {
    const before = { members_count: 3, adults_count: 2, adults_smartphone: 0, adults_digital_skills: 0, adults_vneid: 0, adults_dvc: 0, adults_epay: 0, adults_signature: 0, has_digital_member: false, is_business: true, business_cashless: true, ocop_products: 2, ecommerce_listings: 4 };
    const { next, changed } = withDependents(before, "is_business", false);
    expect([next.business_cashless, next.ocop_products, next.ecommerce_listings]).toEqual([false, 0, 0]);
    expect(changed.map((c) => c.field)).toEqual(["business_cashless", "ocop_products", "ecommerce_listings"]);
    expect(householdRules(next)).toEqual([]);
  });
});
