"""Evaluation metrics: BLEU, ROUGE, FID, Inception Score, human evaluation (placeholder: code later)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .spec import Artifact, Demo

DEMO = Demo(
    name="metrics",
    title="Evaluating generated content: BLEU, ROUGE, FID, Inception Score and human ratings",
    title_zh="评估生成内容：BLEU、ROUGE、FID、Inception Score 与人工评分",
    summary=(
        "Implements the metrics the article names from their definitions and checks each against the "
        "reference library or a closed form: corpus BLEU against sacreBLEU and nltk, ROUGE-N and ROUGE-L "
        "against rouge-score (with a character tokenizer for Chinese), the Fréchet distance against "
        "closed forms, and the Inception Score with a small digits classifier in place of Inception "
        "weights. A shipped rating sheet shows human evaluation with a rubric and Cohen's kappa."
    ),
    summary_zh=(
        "按定义实现文中提到的评估指标，并逐一与参考库或解析解核对：语料级 BLEU 对照 sacreBLEU 和 nltk，"
        "ROUGE-N 与 ROUGE-L 对照 rouge-score（中文使用按字分词），Fréchet 距离对照解析解，Inception Score "
        "用一个小型手写数字分类器代替 Inception 权重。另附一份评分表，演示带评分细则的人工评估与 Cohen's kappa "
        "一致性。"
    ),
    topics=("evaluation", "bleu", "rouge", "fid", "inception-score", "human-evaluation"),
    formula=(
        r"\begin{gathered}"
        r"\mathrm{BLEU} = \mathrm{BP}\cdot\exp\Big(\sum_{n=1}^{4}\tfrac14\log p_n\Big),\quad"
        r"\mathrm{BP} = \min\big(1,\ e^{1-r/c}\big)"
        r"\\[4pt]"
        r"\mathrm{FID} = \lVert\mu_1-\mu_2\rVert^2 + \mathrm{Tr}\big(\Sigma_1+\Sigma_2-2(\Sigma_1\Sigma_2)^{1/2}\big),\quad"
        r"\mathrm{IS} = \exp\big(\mathbb{E}_x\,\mathrm{KL}(p(y\mid x)\,\Vert\,p(y))\big)"
        r"\\[4pt]"
        r"\kappa = \frac{p_o - p_e}{1 - p_e}"
        r"\end{gathered}"
    ),
    figures=(
        Artifact("image_metrics.png", "Inception Score and FID of several image sets scored by the digits classifier: real digits, one class only (mode collapse), noise.",
                 "用手写数字分类器评估几组图像的 Inception Score 与 FID：真实数字、只有一个类别（模式坍塌）、噪声。"),
        Artifact("rater_agreement.png", "How two raters scored the same outputs: the confusion matrix behind Cohen's kappa.",
                 "两位评分者对同一批输出的打分：Cohen's kappa 背后的混淆矩阵。"),
    ),
)


@dataclass(frozen=True)
class Config:
    seed: int = 0


def run(config: Config, out_dir: Path) -> dict[str, float]:
    raise NotImplementedError("the metrics demo lands in a later commit")
