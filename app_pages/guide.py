"""Guide: the lecture's ideas, each next to a demo that shows it live."""

import streamlit as st

from gan_core.presets import PRESETS
from gan_core.sweep import SWEEP_PRESETS
from ui import guide, presets

st.title("Guide")
st.markdown(
    "A GAN trains two networks against each other: a **discriminator** D that tells real "
    "points from generated ones, and a **generator** G that turns noise z into points. "
    "Each idea below has a demo one click away."
)

st.header("1 · The game and the two losses")
st.markdown(
    "D(x) is D's probability that x is real. The slide's value function, which D "
    "maximises and G minimises:"
)
st.latex(
    r"\min_G \max_D V(D,G) = \mathbb{E}_{x\sim p_\text{data}}\big[\log D(x)\big]"
    r" + \mathbb{E}_{z\sim p_z}\big[\log\big(1 - D(G(z))\big)\big]"
)
st.markdown(
    "**D's loss** is binary cross-entropy with label 1 for real and 0 for generated points:"
)
st.latex(
    r"L_D = -\mathbb{E}_x\big[\log D(x)\big] - \mathbb{E}_z\big[\log\big(1 - D(G(z))\big)\big]"
)
st.markdown("**G's loss** comes in two forms with the same optimum:")
st.latex(
    r"\underbrace{L_G = \mathbb{E}_z\big[\log\big(1 - D(G(z))\big)\big]}"
    r"_{\text{saturating (minimax)}}"
    r"\qquad"
    r"\underbrace{L_G = -\mathbb{E}_z\big[\log D(G(z))\big]}_{\text{non-saturating}}"
)
st.markdown("**Why the non-saturating loss helps early.** Write D = σ(ℓ) with ℓ D's logit. Then")
st.latex(
    r"\frac{\partial}{\partial \ell}\log\big(1-\sigma(\ell)\big) = -D(G(z))"
    r"\qquad\text{vs}\qquad"
    r"\frac{\partial}{\partial \ell}\big(-\log \sigma(\ell)\big) = -\big(1 - D(G(z))\big)"
)
st.markdown(
    "At the start G's points are poor and D rejects them confidently: D(G(z)) ≈ 0. The "
    "saturating loss then passes G a gradient of about 0, so G barely moves, exactly when "
    "it has most to learn. The non-saturating loss passes about 1 and G learns at once. "
    "Choose **Loss** in the Playground's sidebar, or compare both:"
)
presets.link("g-loss")
st.markdown("**The slide's plot: G's loss against D(G(z)).**")
guide.g_loss()

st.markdown(
    "**The best D for a fixed G.** For each x, D maximises "
    "p_data(x) log D(x) + p_g(x) log(1 − D(x)), which gives"
)
st.latex(r"D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}")
st.markdown(
    "Move the generator's density below: where it matches the data, D* is ½ everywhere "
    "(D can no longer tell), and training G against D* minimises the Jensen–Shannon "
    "divergence between the two. (On the plane: the Playground's *Optimal D\\** layer.)"
)
guide.optimal_d()

st.markdown("**GAN in action**: the slide's double moon, learned by a plain GAN.")
st.page_link(
    "app_pages/playground.py",
    label="GAN in action: the double moon (Playground)",
    query_params={"target": "moons"},
    icon=":material/play_circle:",
)

st.header("2 · Mode collapse")
st.markdown(
    "The ring target is 8 Gaussians. G is rewarded only for fooling the *current* D, and "
    "the cheapest way is often to put its points on a few modes that D accepts. D learns "
    "to reject those; G hops to others. The generated distribution covers only part of "
    "the data: **mode collapse**.\n\n"
    "What the views measure (on 2,500 generated points):\n"
    "- **modes covered**: modes with at least one *high-quality* point, within 3 standard "
    "deviations of the mode's centre (faint circles on the point cloud);\n"
    "- **hq**: the share of high-quality points. The ring's own samples score 98.9 % "
    "(1 − e^(−4.5)); an hq above that is not better: G's modes are narrower than the "
    "data's;\n"
    "- **effective modes** = exp(entropy of the samples per mode): “G effectively makes 2.3 "
    "of the 8 modes”. A run counts as *collapsed* at K/2 or fewer.\n\n"
    "The bar chart shows the samples per mode against the equal share (dashed)."
)
presets.link("collapse-ring")

st.header("3 · Conditional GAN: labels fight collapse")
st.markdown("Give both networks the mode's label y. G makes G(z, y) and D judges D(x, y):")
st.latex(
    r"\min_G \max_D \ \mathbb{E}_{x,y}\big[\log D(x\mid y)\big]"
    r" + \mathbb{E}_{z,y}\big[\log\big(1 - D(G(z\mid y)\mid y)\big)\big]"
)
st.markdown(
    "Every label is drawn during training and D rejects a point that sits on another "
    "label's mode, so G must put each label's points on that label's mode: all modes get "
    "covered. The price: it needs labels. Points are coloured by label."
)
presets.link("cgan-ring")

st.header("4 · InfoGAN: codes instead of labels")
st.markdown(
    "InfoGAN has no labels. G gets a categorical code c besides z, and a head Q on D's "
    "features guesses c back from G(z, c). Training adds λ times the mutual information "
    "between the code and the sample, through its variational lower bound:"
)
st.latex(
    r"\min_{G,Q}\max_D \ V(D,G) - \lambda\, L_I(G,Q),\qquad "
    r"L_I = \mathbb{E}_{c\sim p(c),\,x\sim G(z,c)}\big[\log Q(c\mid x)\big] + H(c)"
    r"\ \le\ I\big(c;\,G(z,c)\big)"
)
st.markdown(
    "To keep c predictable, different codes must give points Q can tell apart, so the "
    "codes spread over different modes, and G cannot pile everything on one. With as many "
    "codes as modes, each code tends to take a mode of its own: in the **code × mode** "
    "table each row has one dark cell. (The lecture's λ is **InfoGAN weight λ** in the "
    "Playground's *More settings*.)"
)
presets.link("infogan-ring", label="InfoGAN in action: codes find the ring's modes (Playground)")

st.header("5 · Mode collapse on MNIST")
st.markdown(
    "The slides show a GAN on MNIST that makes some digits far more often than others. "
    "The **digits** target is scikit-learn's 8×8 handwritten digits (1,797 images, 64 "
    "values each in [−1, 1]); G ends in tanh and draws a sheet of 100 images beside real "
    "ones, a row per label (cGAN) or code (InfoGAN).\n\n"
    "A classifier fitted on the real digits (logistic regression; its accuracy on "
    "held-out real digits is shown under the metrics) is the **judge**: a digit is a "
    "mode, and\n"
    "- a sample is *high quality* when the judge is at least 90 % sure of its digit; "
    "**hq** is their share;\n"
    "- **digits covered**: digits with confident samples making up at least 1 % of the "
    "2,500 judged;\n"
    "- **effective digits** = exp(entropy of the samples per digit); collapsed at 5 or fewer;\n"
    "- **purity** (cGAN, InfoGAN): in the label/code × digit table, the share of samples "
    "on their row's most common digit (1: each code draws one digit)."
)
presets.link("collapse-digits")

st.header("6 · Coverage for any data")
st.markdown(
    "Modes need known centres, labels or a judge. Four figures need none: they compare "
    "1,000 generated samples with 1,000 real ones through k-nearest-neighbour balls "
    "(k = 5: each real sample's ball reaches its 5th nearest real neighbour):\n"
    "- **precision**: the share of generated samples inside some real ball (they look "
    "like the data; Kynkäänniemi et al., 2019);\n"
    "- **recall**: the share of real samples inside some generated sample's ball (built "
    "the same way among the generated ones): how much of the data G makes;\n"
    "- **density**: how many real balls hold each generated sample, divided by k: about 1 "
    "when G matches the data, above 1 where G crowds dense parts (Naeem et al., 2020);\n"
    "- **coverage**: the share of real balls holding at least one generated sample "
    "(Naeem et al., 2020): a collapsed G leaves most balls empty.\n\n"
    "Your own points with a label column get modes from their labels: each class's mean "
    "and covariance, a sample high quality within 3 standard deviations (Mahalanobis)."
)

st.header("7 · Where training works: sweeps")
st.markdown(
    "One run says little about a setting: GAN training works in a narrow band of learning "
    "rates, D:G ratios and losses, and fails around it (collapse, divergence, no progress "
    "in the budget). The **Sweep** page trains a grid of runs, two settings as its axes, "
    "and colours each cell by a metric, dark where training fails and bright where it "
    "works; a cell opens that run in the Playground."
)
for name, preset in SWEEP_PRESETS.items():
    st.page_link(
        "app_pages/sweep.py",
        label=f"{preset.title} (Sweep)",
        query_params={"preset": name},
        icon=":material/grid_on:",
    )
    st.caption(preset.caption)

st.header("8 · Other ways out of mode collapse")
st.markdown(
    "Labels and codes are not the only answers. Three changes to D, each a setting in "
    "the Playground's *Against mode collapse* section, work with any GAN type and loss. "
    "Each link opens the collapse demo's plain GAN (the ring, 5 D steps per G step, the "
    "same seed) with that one setting changed: train it and compare with the collapse "
    "demo above. How much each helps depends on the settings and the seed."
)
st.markdown(
    "**PacGAN** (`pack` = m): D judges m samples together, all real or all generated, "
    "concatenated into one input. A collapsed G's m samples look alike, a giveaway when "
    "seen together:"
)
st.latex(
    r"\min_G \max_D \ \mathbb{E}_{x_1,\dots,x_m\sim p_\text{data}}"
    r"\big[\log D(x_1,\dots,x_m)\big]"
    r" + \mathbb{E}_{z_1,\dots,z_m}\big[\log\big(1 - D(G(z_1),\dots,G(z_m))\big)\big]"
)
guide.mitigation_link("pack")
st.markdown(
    "**Minibatch standard deviation** (`mbstd`): D's last layer also reads how spread the "
    "batch is, the mean over D's last hidden features h of their standard deviation over "
    "the batch. A batch of near-identical generated points has a smaller spread than a "
    "real one, and D can see it:"
)
st.latex(r"s = \frac{1}{F}\sum_{f=1}^{F} \operatorname{std}_{i\in\text{batch}}\, h_{i,f}")
guide.mitigation_link("mbstd")
st.markdown(
    "**Spectral normalisation** (`spectral_norm`): each of D's layers uses its weights "
    "divided by their largest singular value (estimated with one power iteration per D "
    "step), so no layer stretches its input by more than 1: D stays smooth and cannot "
    "turn arbitrarily sharp around the few modes G draws, and its gradients for G stay "
    "bounded."
)
st.latex(r"\bar W = \frac{W}{\sigma(W)},\qquad \sigma(W) = \max_{\|v\|=1}\|Wv\|")
guide.mitigation_link("spectral_norm")
st.markdown(
    "**Unrolled GAN** (`unroll` = k): G's step scores its samples not against today's D "
    "but against D advanced k steps on them (D's own loss and learning rate): a G that "
    "piles onto one mode sees D's answer to that coming, and spreads out. This app's is "
    "first order: G's gradient goes through D_k's weights but not back through the k steps."
)
st.latex(
    r"\theta_D^{k+1} = \theta_D^{k} + \eta\,\nabla_{\theta_D} V(\theta_G, \theta_D^{k}),"
    r"\qquad \min_G\ V(\theta_G, \theta_D^{K})"
)
guide.mitigation_link("unroll")
st.markdown(
    "**Self-conditioned GAN** (GAN type `selfcond`): a cGAN whose labels nobody gives. "
    "Every 500 steps, k-means on D's last hidden features of the real data sorts it into "
    "k clusters (k: *codes*, 0 = the target's classes); G and D are conditioned on a "
    "point's cluster as a cGAN is on its class, so G must draw every cluster. The cloud "
    "colours points by cluster, as it does by class for a cGAN: the step between cGAN "
    "(labels given) and InfoGAN (codes G invents)."
)
guide.mitigation_link("selfcond")
presets.link("mitigations-ring")

st.header("9 · DCGAN: convolutional networks for images")
st.markdown(
    "The lecture's last chapter: for images, G and D are convolutional (Radford et al., "
    "2016). G projects z to a small stack of feature maps and doubles their size until "
    "the image's; D halves the image's size until a few features decide real or fake. "
    "Five rules made such networks train:\n"
    "1. strided convolutions in D and transposed (fractionally strided) ones in G, "
    "instead of pooling and upsampling;\n"
    "2. batchnorm in G and D (not on D's input nor G's output);\n"
    "3. no fully connected hidden layers;\n"
    "4. ReLU in G, with Tanh at its output;\n"
    "5. LeakyReLU in D.\n\n"
    "Pick the **digits** target and **dcgan** under *Convolutional nets (digits)* in the "
    "Playground's sidebar: each rule is a setting there, so you can break one and watch "
    "what it costs. The diagram's boxes list the layers. The Compare demo trains the "
    "DCGAN beside a fully connected GAN with the same budget and beside a DCGAN with a "
    "rule broken; its caption says what the measurements show at 8×8."
)
presets.link("dcgan-rules")
for rule in guide.DCGAN_RULES:
    guide.rule_link(rule)

st.header("All demos")
for name in PRESETS:
    presets.link(name)
    st.caption(PRESETS[name].caption)
