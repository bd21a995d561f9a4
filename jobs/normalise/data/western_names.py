"""Common Western given names (English, French, German, Spanish, Italian, Dutch, Nordic).

Used to tell an English given name from pinyin when it happens to split into pinyin syllables
(Alice = a-li-ce, Linda = lin-da, Diana = di-a-na): such a name next to a Chinese surname is the person's
Western name, not a pinyin given name.
"""

WESTERN_GIVEN_NAMES = frozenset(
    """
    aaron abigail adam adrian agnes aidan alan albert alex alexander alexandra alexis alfred alice alicia alison
    amanda amber amelia amy andrea andrew angela angelina anita ann anna anne annie anthony antonio april arthur
    ashley audrey austin barbara beatrice benjamin bernard beth bethany betty beverly bianca bill billy bonnie
    brad bradley brandon brenda brian bridget brittany brooke bruce bryan caleb cameron camila carl carla carlos
    carmen carol caroline carolyn catherine cecilia charles charlie charlotte chelsea cheryl chloe chris
    christian christina christine christopher cindy claire clara claudia colin connor courtney craig cynthia
    daisy dale daniel daniela danielle david deborah debra denise dennis derek diana diane donald donna doris
    dorothy douglas dylan edward eileen elaine eleanor elena elizabeth ella ellen emily emma eric erica erin
    ethan eva evelyn fiona florence frances francesca frank fred frederick gabriel gabriella gary george
    georgia gerald gina gloria grace gregory hannah harold harry heather helen henry holly hugo ian irene
    isaac isabel isabella jack jacob jacqueline james jamie jane janet janice jason jean jeffrey jennifer
    jeremy jerry jessica jill joan joanna joe john johnny jonathan jordan joseph joshua joy joyce judith judy
    julia julian julie justin karen katherine kathleen kathryn kathy katie kayla keith kelly kenneth kevin kim
    kimberly kyle larry laura lauren lawrence leah leo leonard leslie lillian lily linda lisa logan lois
    lorraine louis louise lucas lucy luke lydia madison margaret maria marie marilyn mark martha martin mary
    matthew megan melanie melissa michael michelle mike mildred monica nancy naomi natalie nathan nicholas
    nicole noah nora norma olivia oliver oscar pamela patricia patrick paul paula peggy peter philip phyllis
    rachel ralph randy raymond rebecca richard rita robert roberto robin roger ronald rose ruby russell ruth
    ryan sabrina sally samantha samuel sandra sara sarah scott sean sharon shirley simon sophia sophie stanley
    stella stephanie stephen steven susan sylvia tammy teresa terry theresa thomas tiffany timothy tina todd
    tony tracy tyler valerie vanessa victor victoria vincent violet virginia vivian walter wanda wayne
    wendy william willie zachary zoe
    lukas luca lena jonas felix finn leon emil hans klaus jurgen sabine ursula heike monika petra marco
    giovanni giuseppe francesco alessandro matteo chiara giulia sofia pierre jacques camille manon chloe
    luis miguel javier alejandro lucia carmen pablo diego elena ines lars erik sven ingrid astrid anders
    """.split()
)
