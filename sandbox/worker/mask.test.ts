// Masking secret values in output: whole values, longest first, short ones left alone, and in a
// stream cut anywhere (a value split across chunks is masked all the same, nothing is lost).
import { describe, expect, it } from "vitest";
import { maskText, secretValues, StreamMasker } from "./mask";

const streamed = (values: string[], pieces: string[]) => {
  const m = new StreamMasker(values);
  return pieces.map((p) => m.push(p)).join("") + m.end();
};

describe("masking", () => {
  it("masks every occurrence, the longest value first; short values and proxy settings are not secrets", () => {
    const values = secretValues({ A: "hunter22", B: "hunter22-long", C: "abc", HTTPS_PROXY: "http://127.0.0.1:3128" }, { D: "hunter22" });
    expect(values).toEqual(["hunter22-long", "hunter22"]);
    expect(maskText("x hunter22-long y hunter22 z abc http://127.0.0.1:3128", values)).toBe("x *** y *** z abc http://127.0.0.1:3128");
    expect(maskText("a.b*c", ["a.b*c"])).toBe("***");
  });

  it("masks a value split across chunks at every possible point, holding back only what could be its start", () => {
    const secret = "s3cr3t-VALUE";
    const text = `before ${secret} after`;
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        expect(streamed([secret], [text.slice(0, i), text.slice(i, j), text.slice(j)])).toBe("before *** after");
      }
    }
    const m = new StreamMasker([secret]);
    expect(m.push("line one\ns3cr")).toBe("line one\n");
    expect(m.push("atch")).toBe("s3cratch");
    expect(m.push("no secret here\n")).toBe("no secret here\n");
  });

  it("gives the same text streamed in random pieces as masked whole, with overlapping values", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = "abcd\n";
    for (let round = 0; round < 300; round++) {
      const values = Array.from({ length: 1 + rand(3) }, () => Array.from({ length: 4 + rand(5) }, () => alphabet[rand(4)]).join(""));
      const text = Array.from({ length: 200 }, () => alphabet[rand(5)]).join("");
      const pieces: string[] = [];
      for (let at = 0; at < text.length; ) {
        const n = rand(12);
        pieces.push(text.slice(at, at + n));
        at += n;
      }
      const sorted = secretValues(Object.fromEntries(values.map((v, i) => [`S${i}`, v])));
      expect(streamed(sorted, pieces)).toBe(maskText(text, sorted));
    }
  });

  it("passes text through untouched when there is nothing to mask", () => {
    expect(streamed([], ["a", "b"])).toBe("ab");
    expect(streamed(["abc"], ["abcabc"])).toBe("abcabc");
  });
});
