MESSAGES = {
    "app.title": ("执行管理层级看板", "Tiered-responsibility dashboard"),
    "app.subtitle": (
        "宛法〔2023〕123号《关于落实执行管理层级负责制的若干规定（试行）》执行情况",
        "How the bureau works against Regulation 宛法〔2023〕123号 on tiered responsibility",
    ),
    "app.language": ("语言 / Language", "Language / 语言"),
}
