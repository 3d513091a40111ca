import { describe, expect, it } from "vitest";
import { durationOf, LIMITS, parseScript, ScriptLimitError } from "../../worker/core/studio/script-parser";

describe("script parsing: Chinese", () => {
  it("splits at 场景N and 第N场 headings, finds speakers, captions and durations", () => {
    const script = `场景1：公园 清晨
小明在长椅上看书，小红跑了过来。
小明：今天天气真好。
小红（喘气）：我迟到了吗？

第二场 咖啡馆
两人坐在窗边。
小红：你还记得我们第一次见面吗？
旁白：那是三年前的夏天。`;
    const parsed = parseScript(script);
    expect(parsed.characters).toEqual(["小明", "小红"]);
    expect(parsed.scenes).toHaveLength(2);
    const [one, two] = parsed.scenes;
    expect(one).toMatchObject({
      number: 1,
      heading: "公园 清晨",
      description: "公园 清晨 — 小明在长椅上看书，小红跑了过来。",
      caption: "小明：今天天气真好。\n小红：我迟到了吗？",
      characters: ["小明", "小红"],
    });
    expect(one?.duration).toBeGreaterThanOrEqual(LIMITS.minDuration);
    // 旁白 (the narrator) is dialogue-shaped but not a character.
    expect(two?.characters).toEqual(["小红"]);
    expect(two?.description).toContain("两人坐在窗边");
    expect(two?.dialogue.map((d) => d.speaker)).toEqual(["小红"]);
    expect(two?.description).toContain("那是三年前的夏天");
  });

  it("falls back to blank-line blocks and names characters mentioned but silent", () => {
    const parsed = parseScript(
      "小明走进房间。\n小明：有人吗？\n\n\n小红躲在门后，看着小明。\n\n   \n夜深了。",
    );
    expect(parsed.scenes.map((s) => s.number)).toEqual([1, 2, 3]);
    expect(parsed.scenes[1]?.characters).toEqual(["小明"]);
    expect(parsed.scenes[2]).toMatchObject({ caption: null, characters: [], description: "夜深了。" });
  });
});

describe("script parsing: English", () => {
  it("reads Scene N and INT./EXT. headings, NAME: lines and screenplay cues", () => {
    const script = `Scene 1: The park at dawn
John sits on a bench. Mary runs in.
JOHN: Beautiful day.
Mary (out of breath): Am I late?

INT. COFFEE SHOP - DAY
They sit by the window.
MARY
Do you remember when we met?
JOHN (V.O.)
Three summers ago.`;
    const parsed = parseScript(script);
    expect(parsed.characters).toEqual(["John", "Mary"]);
    expect(parsed.scenes).toHaveLength(2);
    expect(parsed.scenes[0]).toMatchObject({
      heading: "The park at dawn",
      caption: "John：Beautiful day.\nMary：Am I late?",
    });
    expect(parsed.scenes[1]).toMatchObject({
      heading: "INT. COFFEE SHOP - DAY",
      description: "INT. COFFEE SHOP - DAY — They sit by the window.",
      characters: ["Mary", "John"],
    });
    expect(parsed.scenes[1]?.dialogue).toEqual([
      { speaker: "Mary", line: "Do you remember when we met?" },
      { speaker: "John", line: "Three summers ago." },
    ]);
  });

  it("does not take times, URLs or sentences for speakers", () => {
    const parsed = parseScript(
      "At 10:30 the phone rings.\nNote: this is important.\nSee https://example.com: nothing.",
    );
    expect(parsed.characters).toEqual([]);
    expect(parsed.scenes).toHaveLength(1);
    expect(parsed.scenes[0]?.dialogue).toEqual([]);
  });
});

describe("script parsing: odd input", () => {
  it("gives no scenes for an empty or blank script", () => {
    expect(parseScript("")).toEqual({ scenes: [], characters: [] });
    expect(parseScript(" \n\n\t \r\n ")).toEqual({ scenes: [], characters: [] });
  });

  it("cuts one huge line into scenes of bounded size", () => {
    const sentence = "他沿着河岸一直走，直到天色完全暗下来。";
    const huge = sentence.repeat(400);
    const parsed = parseScript(huge);
    expect(parsed.scenes.length).toBeGreaterThan(10);
    expect(parsed.scenes.length).toBeLessThanOrEqual(LIMITS.maxScenes);
    for (const s of parsed.scenes) {
      expect(s.description.length).toBeLessThanOrEqual(LIMITS.sceneChars);
      expect(s.description.endsWith("。")).toBe(true);
      expect(s.duration).toBeLessThanOrEqual(LIMITS.maxDuration);
    }
    const noPunctuation = parseScript("a".repeat(200_000));
    expect(noPunctuation.scenes.length).toBe(LIMITS.maxScenes);
  });

  it("makes a scene of a script that is only dialogue", () => {
    const parsed = parseScript("甲：你好。\n乙：你好吗？\n甲：很好。");
    expect(parsed.scenes).toHaveLength(1);
    expect(parsed.characters).toEqual(["甲", "乙"]);
    expect(parsed.scenes[0]).toMatchObject({
      description: "你好。 你好吗？ 很好。",
      characters: ["甲", "乙"],
    });
  });

  it("ignores invisible, direction-override and control characters", () => {
    const parsed = parseScript("\ufeff场景1：街道\u202e\n小\u200b明：走\u0001吧\u007f。\t好");
    expect(parsed.scenes[0]?.heading).toBe("街道");
    expect(parsed.characters).toEqual(["小明"]);
    expect(parsed.scenes[0]?.caption).toBe("小明：走吧。 好");
  });
});

describe("limits", () => {
  const speakers = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => `角色${from + i}：好。`).join("\n");

  it("takes at most 100 speakers a script, and names both limits when there are more", () => {
    expect(LIMITS.maxSpeakers).toBe(100);
    expect(parseScript(speakers(LIMITS.maxSpeakers)).characters).toHaveLength(LIMITS.maxSpeakers);
    let error: unknown;
    try {
      parseScript(speakers(5_000));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScriptLimitError);
    expect((error as ScriptLimitError).speakers).toBe(5_000);
    expect((error as Error).message).toBe(
      "The script has 5000 speaking characters; a script may have at most 100 (and at most 200 scenes)",
    );
  });

  it("counts only the speakers of the scenes it keeps", () => {
    // 200 scenes of one speaker each, then scenes past the scene limit with new speakers: those
    // scenes are left out, so their speakers become no characters either.
    const kept = Array.from({ length: LIMITS.maxScenes }, (_, i) => `场景${i + 1}\n甲${i % 50}：好。`);
    const dropped = Array.from({ length: 300 }, (_, i) => `场景${LIMITS.maxScenes + i + 1}\n乙${i}：好。`);
    const parsed = parseScript([...kept, ...dropped].join("\n"));
    expect(parsed.scenes).toHaveLength(LIMITS.maxScenes);
    expect(parsed.characters).toHaveLength(50);
  });
});

describe("durations", () => {
  it("grow with the text and stay within bounds", () => {
    expect(durationOf("")).toBe(LIMITS.minDuration);
    expect(durationOf("今天天气真好，我们去公园散步吧。")).toBeGreaterThan(durationOf("你好。"));
    expect(durationOf("word ".repeat(20))).toBe(9);
    expect(durationOf("字".repeat(10_000))).toBe(LIMITS.maxDuration);
    expect(durationOf("今天".repeat(5)) % 0.5).toBe(0);
  });
});
