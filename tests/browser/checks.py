"""Accessibility basics checked in the rendered page: labels, headings, alt texts, contrast, no sideways scroll.

Each check runs in the browser and returns a list of problems, so a failure names the element at fault.
"""

from __future__ import annotations

LABELS = """() => [...document.querySelectorAll("input, select, textarea")]
    .filter(el => el.type !== "hidden" && el.offsetParent !== null)
    .filter(el => el.labels.length === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
    .map(el => `${el.tagName.toLowerCase()}#${el.id || el.name} has no label`)"""

HEADINGS = """() => {
    const problems = [];
    const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")];
    if (headings.filter(h => h.tagName === "H1").length !== 1) problems.push("the page needs exactly one h1");
    let previous = 0;
    for (const heading of headings) {
        const level = Number(heading.tagName[1]);
        if (previous && level > previous + 1) {
            problems.push(`h${level} "${heading.textContent.trim()}" skips a level after h${previous}`);
        }
        previous = level;
    }
    return problems;
}"""

IMAGES = """() => [...document.querySelectorAll("img")]
    .filter(img => !img.hasAttribute("alt"))
    .map(img => `img ${img.src} has no alt text`)"""

OVERFLOW = """() => document.documentElement.scrollWidth > window.innerWidth + 1
    ? [`the page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`] : []"""

# WCAG 2.x contrast of each visible text against the first opaque background behind it.
CONTRAST = """() => {
    const rgb = value => (value.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = el => {
        for (let node = el; node; node = node.parentElement) {
            const colour = rgb(getComputedStyle(node).backgroundColor);
            if (colour.length === 3 || (colour.length === 4 && colour[3] > 0.9)) return colour.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const problems = [];
    const texts = [...document.querySelectorAll("body *")].filter(el =>
        el.offsetParent !== null && !el.closest("svg") &&
        [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
    for (const el of texts) {
        const style = getComputedStyle(el);
        const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
        const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
        const [a, b] = [luminance(rgb(style.color)), luminance(background(el))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < needed) {
            problems.push(`"${el.textContent.trim().slice(0, 40)}" has contrast ${ratio.toFixed(2)} (needs ${needed})`);
        }
    }
    return problems;
}"""

ALL = {"labels": LABELS, "headings": HEADINGS, "images": IMAGES, "overflow": OVERFLOW, "contrast": CONTRAST}


def accessibility_problems(page) -> list[str]:
    return [f"{name}: {problem}" for name, script in ALL.items() for problem in page.evaluate(script)]
