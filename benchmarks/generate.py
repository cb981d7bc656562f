"""A seeded generator of invented articles in the genre, for benchmarks.

Every name is made up from syllable lists; posts come from ontology/lexicon/roles.yaml,
places from ontology/lexicon/provinces.yaml (all of them). Articles vary in kind
(congress, session, appointment, working session, conference, visit), length, and noise
(bylines, photo credits, old-style tone marks, stray spacing, unrelated paragraphs).

    python benchmarks/generate.py 10000 --out /tmp/bench.jsonl            # JSON Lines
    python benchmarks/generate.py 500 --out /tmp/bench-txt --format txt   # .txt files

The same seed gives the same corpus.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LEXICON = ROOT / "ontology" / "lexicon"

MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Ngọc", "Xuân", "Công", "Đình", "Bá",
          "Trọng", "Kim", "Hồng", "Anh", "Tuấn", "Phương"]
GIVEN = ["Hùng", "Dũng", "Lan", "Mai", "Hoa", "Tuấn", "Nam", "Bình", "Hải", "Sơn", "Thắng", "Long",
         "Hương", "Thảo", "Quang", "Phúc", "Khang", "Trí", "Tâm", "Nga", "Yến", "Vinh", "Cường", "Hiếu",
         "Toàn", "Khoa", "Lâm", "Hạnh", "Thủy", "Dương", "Kiên", "Tùng", "Linh", "Giang", "Hậu", "Lợi"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Lương", "Đinh", "Trịnh", "Đoàn", "Lò", "Hà", "Nông", "Giàng"]
ORGS = ["Ủy ban nhân dân tỉnh {p}", "Tỉnh ủy {p}", "Hội đồng nhân dân tỉnh {p}", "Sở Y tế tỉnh {p}",
        "Sở Giáo dục và Đào tạo tỉnh {p}", "Sở Tài chính tỉnh {p}", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh {p}",
        "Công an tỉnh {p}", "Sở Xây dựng tỉnh {p}", "Ban Tuyên giáo Tỉnh ủy {p}"]
LOCAL_ROLES = ["Bí thư", "Phó Bí thư", "Chủ tịch", "Phó Chủ tịch", "Giám đốc", "Phó Giám đốc",
               "Trưởng ban", "Phó Trưởng ban", "Ủy viên Ban Thường vụ"]
FILLER = [
    "Hội nghị đã thảo luận, đánh giá kết quả thực hiện nhiệm vụ chính trị và đề ra phương hướng cho thời gian tới.",
    "Các đại biểu tập trung phân tích những tồn tại, hạn chế và nguyên nhân, đề xuất nhiều giải pháp thiết thực.",
    "Trong năm qua, tình hình kinh tế - xã hội của địa phương tiếp tục chuyển biến tích cực.",
    "Công tác xây dựng Đảng, chính quyền và hệ thống chính trị được quan tâm thực hiện đồng bộ.",
    "Tổng thu ngân sách trên địa bàn đạt hơn 1.200 tỷ đồng, vượt 8% so với dự toán.",
    "Giá lúa tại nhiều địa phương trong vùng tăng nhẹ so với tuần trước.",
]
OLD_TONES = {"hòa": "hoà", "Hòa": "Hoà", "ủy": "uỷ", "Ủy": "Uỷ", "thủy": "thuỷ"}


def _lexicon():
    roles = yaml.safe_load((LEXICON / "roles.yaml").read_text(encoding="utf-8"))["roles"]
    provinces = [p["name"] for p in yaml.safe_load((LEXICON / "provinces.yaml").read_text(encoding="utf-8"))["provinces"]]
    return [r for r in roles if isinstance(r, str)], provinces


class Generator:
    """Invented articles; ``article(i)`` depends only on the seed and ``i``."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.roles, self.provinces = _lexicon()

    def person(self, rng: random.Random) -> str:
        parts = [rng.choice(SURNAMES), rng.choice(MIDDLE)]
        if rng.random() < 0.4:
            parts.append(rng.choice(MIDDLE))
        parts.append(rng.choice(GIVEN))
        return " ".join(parts)

    def post(self, rng: random.Random, province: str) -> str:
        if rng.random() < 0.15:
            return rng.choice(self.roles)
        return f"{rng.choice(LOCAL_ROLES)} {rng.choice(ORGS).format(p=province)}"

    def article(self, i: int) -> dict:
        rng = random.Random(f"{self.seed}:{i}")
        province = rng.choice(self.provinces)
        day = date(2019, 1, 1) + timedelta(days=rng.randrange(2400))
        people = [(self.person(rng), self.post(rng, province)) for _ in range(rng.randint(2, 7))]
        kind = rng.choice(["congress", "session", "appointment", "working", "conference", "visit"])
        when = f"Sáng {day.day}/{day.month}/{day.year}"
        org = rng.choice(ORGS).format(p=province)
        lead, *others = people
        lines = []
        if kind == "congress":
            term = f"{day.year}-{day.year + 5}"
            lines.append(f"Đại hội Đảng bộ {org} lần thứ {rng.randint(5, 20)}, nhiệm kỳ {term}")
            lines.append(f"{when}, Đảng bộ {org} tổ chức Đại hội đại biểu lần thứ {rng.randint(5, 20)}, "
                         f"nhiệm kỳ {term}. Đồng chí {lead[0]}, {lead[1]} dự và chỉ đạo Đại hội.")
            lines.append(f"Đại hội đã bầu Ban Chấp hành gồm {rng.randint(9, 55)} đồng chí và "
                         f"{rng.randint(5, 40)} đại biểu đi dự đại hội cấp trên.")
        elif kind == "session":
            lines.append(f"Kỳ họp thứ {rng.randint(2, 20)} Hội đồng nhân dân tỉnh {province}")
            lines.append(f"{when}, Hội đồng nhân dân tỉnh {province} khai mạc kỳ họp thứ {rng.randint(2, 20)}. "
                         f"Đồng chí {lead[0]}, {lead[1]} chủ trì kỳ họp.")
        elif kind == "appointment":
            lines.append(f"Trao quyết định bổ nhiệm cán bộ tại {org}")
            lines.append(f"{when}, {org} tổ chức hội nghị công bố quyết định bổ nhiệm đồng chí {lead[0]} "
                         f"giữ chức {lead[1]}.")
        elif kind == "working":
            lines.append(f"Lãnh đạo tỉnh {province} làm việc với {org}")
            lines.append(f"{when}, đoàn công tác do đồng chí {lead[0]}, {lead[1]} làm trưởng đoàn "
                         f"đã có buổi làm việc với {org}.")
        elif kind == "conference":
            lines.append(f"Hội nghị tổng kết công tác năm {day.year} của {org}")
            lines.append(f"{when}, {org} tổ chức hội nghị tổng kết công tác năm {day.year}. "
                         f"Ông {lead[0]}, {lead[1]} phát biểu chỉ đạo hội nghị.")
        else:
            lines.append(f"Đoàn công tác Trung ương thăm và làm việc tại tỉnh {province}")
            lines.append(f"{when}, đồng chí {lead[0]}, {lead[1]} dẫn đầu đoàn công tác đến thăm tỉnh {province}.")
        if others:
            names = "; ".join(f"đồng chí {n}, {p}" for n, p in others)
            lines.append(f"Tham dự có {names}.")
        for _ in range(rng.randint(1, 12)):
            lines.append(rng.choice(FILLER))
        if rng.random() < 0.3:
            lines.append(f"Đồng chí {rng.choice(others or [lead])[0]} đề nghị các cấp, các ngành tiếp tục "
                         "quán triệt và thực hiện nghiêm các nghị quyết.")
        if rng.random() < 0.4:
            lines.append(f"Ảnh: {self.person(rng)}")
        if rng.random() < 0.5:
            lines.append(self.person(rng))  # byline
        text = "\n".join(lines)
        if rng.random() < 0.2:
            for new, old in OLD_TONES.items():
                text = text.replace(new, old)
        if rng.random() < 0.1:
            text = text.replace(", ", " ,  ", 2)
        return {"id": f"gen{self.seed}-{i:07d}", "text": text, "date": day.isoformat(),
                "url": f"https://example.org/bench/{self.seed}/{i}"}


def write(n: int, out: Path, *, fmt: str = "jsonl", seed: int = 0, start: int = 0) -> Path:
    """Write ``n`` articles (numbered from ``start``) as one JSON Lines file or a folder of .txt."""
    gen = Generator(seed)
    if fmt == "jsonl":
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w", encoding="utf-8") as fh:
            for i in range(start, start + n):
                fh.write(json.dumps(gen.article(i), ensure_ascii=False) + "\n")
    else:
        out.mkdir(parents=True, exist_ok=True)
        for i in range(start, start + n):
            a = gen.article(i)
            (out / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=["jsonl", "txt"], default="jsonl")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write(args.n, args.out, fmt=args.format, seed=args.seed)


if __name__ == "__main__":
    main()
