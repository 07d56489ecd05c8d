import SynthLabelCLI

SynthLabelCLI.main()
